// What the hooks write to the audit log: the sink they write through, and the tool details an
// auditor needs (tool, file, command, URL) with any credential in them redacted.
import type { JsonValue } from '../../core/bundles/canonical-json.ts';
import { scanForCredentials } from '../../core/secrets/credential-scanner.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ToolHookInput } from './hook-input.ts';

/** Where hook events are recorded; `AuditLog` resolves once the record is durable, and the hook answers only then. */
export type AuditSink = Pick<AuditLog, 'record'>;

const MAX_TEXT = 2000;
const FILE_FIELDS = ['file_path', 'notebook_path', 'path'] as const;

export function toolAuditContext(input: ToolHookInput): Record<string, JsonValue> {
  const toolInput = input.tool_input;
  const context: Record<string, JsonValue> = { tool: input.tool_name };
  if (input.tool_use_id) context.tool_use_id = input.tool_use_id;
  for (const field of FILE_FIELDS) {
    const value = toolInput[field];
    if (typeof value === 'string') {
      context.file = value;
      break;
    }
  }
  if (typeof toolInput.command === 'string') context.command = redact(toolInput.command);
  if (typeof toolInput.url === 'string') context.url = redact(toolInput.url);
  if (typeof toolInput.pattern === 'string') context.pattern = redact(toolInput.pattern);
  return context;
}

/** Credentials inside a command or URL are replaced before the text is stored. */
export function redact(text: string): string {
  let out = text.slice(0, MAX_TEXT);
  for (const finding of scanForCredentials(out).reverse()) {
    out = `${out.slice(0, finding.index)}[redacted ${finding.kind}]${out.slice(finding.index + finding.length)}`;
  }
  return text.length > MAX_TEXT ? `${out}…` : out;
}
