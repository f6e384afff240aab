// How audit records leave the system: the guide's field names, as NDJSON, CSV or a JSON array.

import type { AuditRecord } from '../../core/audit-chain/audit-record.ts';
import { canonicalJson } from '../../core/bundles/canonical-json.ts';

export const EXPORT_FORMATS = ['ndjson', 'csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A record in the guide's format (snake_case), in the field order of the CSV columns. */
export function exportedRecord(record: AuditRecord) {
  return {
    tenant: record.tenantId,
    seq: record.seq,
    timestamp: record.timestamp.toISOString(),
    event: record.event,
    user: record.user,
    agent: record.agent,
    session_id: record.sessionId,
    bundle_revision: record.bundleRevision,
    context: record.context,
    prev_hash: record.prevHash,
    hash: record.hash,
  };
}

const CSV_COLUMNS = Object.keys(exportedRecord({ timestamp: new Date(0) } as AuditRecord));

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? canonicalJson(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Writes records page by page, so an export never has to hold a whole chain in memory. */
export class AuditExportWriter {
  readonly #format: ExportFormat;
  readonly #write: (text: string) => void;
  #count = 0;

  constructor(format: ExportFormat, write: (text: string) => void) {
    this.#format = format;
    this.#write = write;
    if (format === 'csv') write(CSV_COLUMNS.join(','));
    if (format === 'json') write('[');
  }

  add(records: readonly AuditRecord[]): void {
    if (records.length === 0) return;
    const lines = records.map((record) => {
      const row = exportedRecord(record);
      if (this.#format === 'csv') return Object.values(row).map(csvCell).join(',');
      const json = JSON.stringify(row);
      return this.#format === 'json' ? `${this.#count++ > 0 ? ',' : ''}${json}` : json;
    });
    this.#write(lines.join('\n'));
  }

  end(): void {
    if (this.#format === 'json') this.#write(']');
  }
}
