// Decodes OTLP protobuf bodies (ExportLogsServiceRequest, ExportMetricsServiceRequest) into the OTLP/JSON
// shapes of otlp-types.ts, so one mapper reads both encodings. Field numbers are opentelemetry-proto's
// (logs/v1, metrics/v1, common/v1, resource/v1); fields this server does not use are skipped.

import type {
  OtlpAnyValue,
  OtlpKeyValue,
  OtlpLogRecord,
  OtlpLogsRequest,
  OtlpMetric,
  OtlpMetricsRequest,
  OtlpNumberPoint,
  OtlpResource,
  OtlpScope,
} from './otlp-types.ts';
import { ProtobufReader, WIRE } from './protobuf-reader.ts';

/** Reads each field of a message with `read`, skipping the ones it does not take. */
function each(reader: ProtobufReader, read: (field: number, wire: number) => boolean): void {
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if (!read(field, wire)) reader.skip(wire);
  }
}

function anyValue(r: ProtobufReader): OtlpAnyValue {
  const out: OtlpAnyValue = {};
  each(r, (field, wire) => {
    if (field === 1 && wire === WIRE.LENGTH) out.stringValue = r.string();
    else if (field === 2 && wire === WIRE.VARINT) out.boolValue = r.varint() !== 0n;
    else if (field === 3 && wire === WIRE.VARINT) out.intValue = BigInt.asIntN(64, r.varint()).toString();
    else if (field === 4 && wire === WIRE.FIXED64) out.doubleValue = r.double();
    else if (field === 5 && wire === WIRE.LENGTH) out.arrayValue = { values: repeated(r.sub(), 1, anyValue) };
    else if (field === 6 && wire === WIRE.LENGTH)
      out.kvlistValue = { values: repeated(r.sub(), 1, keyValue) };
    else if (field === 7 && wire === WIRE.LENGTH)
      out.bytesValue = Buffer.from(r.bytesField()).toString('base64');
    else return false;
    return true;
  });
  return out;
}

function keyValue(r: ProtobufReader): OtlpKeyValue {
  const out: OtlpKeyValue = { key: '' };
  each(r, (field, wire) => {
    if (field === 1 && wire === WIRE.LENGTH) out.key = r.string();
    else if (field === 2 && wire === WIRE.LENGTH) out.value = anyValue(r.sub());
    else return false;
    return true;
  });
  return out;
}

/** The repeated message field `number` of a message, each decoded with `decode`. */
function repeated<T>(r: ProtobufReader, number: number, decode: (r: ProtobufReader) => T): T[] {
  const out: T[] = [];
  each(r, (field, wire) => {
    if (field !== number || wire !== WIRE.LENGTH) return false;
    out.push(decode(r.sub()));
    return true;
  });
  return out;
}

function resource(r: ProtobufReader): OtlpResource {
  return { attributes: repeated(r, 1, keyValue) };
}

function scope(r: ProtobufReader): OtlpScope {
  const out: OtlpScope = {};
  each(r, (field, wire) => {
    if (field === 1 && wire === WIRE.LENGTH) out.name = r.string();
    else if (field === 2 && wire === WIRE.LENGTH) out.version = r.string();
    else return false;
    return true;
  });
  return out;
}

function logRecord(r: ProtobufReader): OtlpLogRecord {
  const out: OtlpLogRecord = {};
  const attributes: OtlpKeyValue[] = [];
  each(r, (field, wire) => {
    if (field === 1 && wire === WIRE.FIXED64) out.timeUnixNano = r.fixed64().toString();
    else if (field === 11 && wire === WIRE.FIXED64) out.observedTimeUnixNano = r.fixed64().toString();
    else if (field === 2 && wire === WIRE.VARINT) out.severityNumber = Number(r.varint());
    else if (field === 3 && wire === WIRE.LENGTH) out.severityText = r.string();
    else if (field === 5 && wire === WIRE.LENGTH) out.body = anyValue(r.sub());
    else if (field === 6 && wire === WIRE.LENGTH) attributes.push(keyValue(r.sub()));
    else if (field === 12 && wire === WIRE.LENGTH) out.eventName = r.string();
    else return false;
    return true;
  });
  out.attributes = attributes;
  return out;
}

export function decodeLogsRequest(bytes: Uint8Array): OtlpLogsRequest {
  return {
    resourceLogs: repeated(new ProtobufReader(bytes), 1, (rl) => {
      const out: NonNullable<OtlpLogsRequest['resourceLogs']>[number] = { scopeLogs: [] };
      each(rl, (field, wire) => {
        if (field === 1 && wire === WIRE.LENGTH) out.resource = resource(rl.sub());
        else if (field === 2 && wire === WIRE.LENGTH) {
          const sl = rl.sub();
          const scopeLogs: { scope?: OtlpScope; logRecords: OtlpLogRecord[] } = { logRecords: [] };
          each(sl, (f, w) => {
            if (f === 1 && w === WIRE.LENGTH) scopeLogs.scope = scope(sl.sub());
            else if (f === 2 && w === WIRE.LENGTH) scopeLogs.logRecords.push(logRecord(sl.sub()));
            else return false;
            return true;
          });
          out.scopeLogs!.push(scopeLogs);
        } else return false;
        return true;
      });
      return out;
    }),
  };
}

function numberPoint(r: ProtobufReader): OtlpNumberPoint {
  const out: OtlpNumberPoint = {};
  const attributes: OtlpKeyValue[] = [];
  each(r, (field, wire) => {
    if (field === 7 && wire === WIRE.LENGTH) attributes.push(keyValue(r.sub()));
    else if (field === 2 && wire === WIRE.FIXED64) out.startTimeUnixNano = r.fixed64().toString();
    else if (field === 3 && wire === WIRE.FIXED64) out.timeUnixNano = r.fixed64().toString();
    else if (field === 4 && wire === WIRE.FIXED64) out.asDouble = r.double();
    else if (field === 6 && wire === WIRE.FIXED64) out.asInt = BigInt.asIntN(64, r.fixed64()).toString();
    else return false;
    return true;
  });
  out.attributes = attributes;
  return out;
}

function metric(r: ProtobufReader): OtlpMetric {
  const out: OtlpMetric = {};
  each(r, (field, wire) => {
    if (field === 1 && wire === WIRE.LENGTH) out.name = r.string();
    else if (field === 2 && wire === WIRE.LENGTH) out.description = r.string();
    else if (field === 3 && wire === WIRE.LENGTH) out.unit = r.string();
    else if (field === 5 && wire === WIRE.LENGTH)
      out.gauge = { dataPoints: repeated(r.sub(), 1, numberPoint) };
    else if (field === 7 && wire === WIRE.LENGTH) {
      const s = r.sub();
      const sum: NonNullable<OtlpMetric['sum']> = { dataPoints: [] };
      each(s, (f, w) => {
        if (f === 1 && w === WIRE.LENGTH) sum.dataPoints!.push(numberPoint(s.sub()));
        else if (f === 2 && w === WIRE.VARINT) sum.aggregationTemporality = Number(s.varint());
        else if (f === 3 && w === WIRE.VARINT) sum.isMonotonic = s.varint() !== 0n;
        else return false;
        return true;
      });
      out.sum = sum;
    } else return false;
    return true;
  });
  return out;
}

export function decodeMetricsRequest(bytes: Uint8Array): OtlpMetricsRequest {
  return {
    resourceMetrics: repeated(new ProtobufReader(bytes), 1, (rm) => {
      const out: NonNullable<OtlpMetricsRequest['resourceMetrics']>[number] = { scopeMetrics: [] };
      each(rm, (field, wire) => {
        if (field === 1 && wire === WIRE.LENGTH) out.resource = resource(rm.sub());
        else if (field === 2 && wire === WIRE.LENGTH) {
          const sm = rm.sub();
          const scopeMetrics: { scope?: OtlpScope; metrics: OtlpMetric[] } = { metrics: [] };
          each(sm, (f, w) => {
            if (f === 1 && w === WIRE.LENGTH) scopeMetrics.scope = scope(sm.sub());
            else if (f === 2 && w === WIRE.LENGTH) scopeMetrics.metrics.push(metric(sm.sub()));
            else return false;
            return true;
          });
          out.scopeMetrics!.push(scopeMetrics);
        } else return false;
        return true;
      });
      return out;
    }),
  };
}
