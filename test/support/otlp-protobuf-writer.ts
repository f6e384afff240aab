// Test helper: writes an OTLP ExportLogsServiceRequest in protobuf (field numbers of opentelemetry-proto),
// to feed the receiver the way an SDK would. The real Claude Code run in test/e2e checks the decoder
// against a real encoder too.

type Scalar = string | number | boolean;

function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  while (v > 0x7fn) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const tag = (field: number, wire: number) => varint(BigInt((field << 3) | wire));
const lengthDelimited = (field: number, bytes: number[]) => [
  ...tag(field, 2),
  ...varint(BigInt(bytes.length)),
  ...bytes,
];
const text = (field: number, value: string) => lengthDelimited(field, [...Buffer.from(value, 'utf8')]);

function fixed64(field: number, value: bigint): number[] {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE(value);
  return [...tag(field, 1), ...buffer];
}

function anyValue(value: Scalar): number[] {
  if (typeof value === 'string') return text(1, value);
  if (typeof value === 'boolean') return [...tag(2, 0), value ? 1 : 0];
  if (Number.isInteger(value)) return [...tag(3, 0), ...varint(BigInt(value))];
  const buffer = Buffer.alloc(8);
  buffer.writeDoubleLE(value);
  return [...tag(4, 1), ...buffer];
}

const keyValue = (key: string, value: Scalar) => [...text(1, key), ...lengthDelimited(2, anyValue(value))];
const attributes = (field: number, map: Record<string, Scalar>) =>
  Object.entries(map).flatMap(([k, v]) => lengthDelimited(field, keyValue(k, v)));

export interface LogsToEncode {
  resource: Record<string, Scalar>;
  records: { timeUnixNano: bigint; body: string; attributes: Record<string, Scalar> }[];
}

export function encodeLogsRequest(input: LogsToEncode): Buffer {
  const records = input.records.flatMap((r) =>
    lengthDelimited(2, [
      ...fixed64(1, r.timeUnixNano),
      ...lengthDelimited(5, anyValue(r.body)),
      ...attributes(6, r.attributes),
    ]),
  );
  const scopeLogs = lengthDelimited(2, [
    ...lengthDelimited(1, text(1, 'com.anthropic.claude_code.events')),
    ...records,
  ]);
  const resourceLogs = lengthDelimited(1, [
    ...lengthDelimited(1, attributes(1, input.resource)),
    ...scopeLogs,
  ]);
  return Buffer.from(resourceLogs);
}
