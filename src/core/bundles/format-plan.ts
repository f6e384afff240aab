// Renders a Plan as the readable text `llm-rules plan` prints.
import { isSecretPath } from '../secrets/secret-field.ts';
import type { EntityChange, FieldChange, Plan } from './plan-diff.ts';

const MAX_VALUE_LENGTH = 120;

export function formatPlan(plan: Plan, header: { from: string | null; to: string }): string {
  const lines: string[] = [];
  const from = header.from ? header.from.slice(0, 12) : '(none)';
  if (plan.changes.length === 0) {
    lines.push(`No changes: the active bundle ${from} already has this content.`);
    return lines.join('\n');
  }
  lines.push(`Plan: ${plan.added} to add, ${plan.changed} to change, ${plan.removed} to remove`);
  lines.push(`  active bundle ${from} → new bundle ${header.to.slice(0, 12)}`);
  let section = '';
  for (const change of plan.changes) {
    if (change.section !== section) {
      section = change.section;
      lines.push('', section);
    }
    lines.push(`  ${symbol(change)} ${change.id}`);
    for (const field of change.fields) lines.push(`      ${formatField(field)}`);
  }
  return lines.join('\n');
}

function symbol(change: EntityChange): string {
  return change.kind === 'added' ? '+' : change.kind === 'removed' ? '-' : '~';
}

function formatField(field: FieldChange): string {
  if (isSecretPath(field.path)) return `${field.path}: (secret changed)`;
  if (
    typeof field.before === 'string' &&
    typeof field.after === 'string' &&
    /\n/.test(field.before + field.after)
  ) {
    return `${field.path}: ${lineDelta(field.before, field.after)}`;
  }
  return `${field.path}: ${show(field.before)} → ${show(field.after)}`;
}

function lineDelta(before: string, after: string): string {
  const a = new Set(before.split('\n'));
  const b = new Set(after.split('\n'));
  const added = [...b].filter((line) => !a.has(line)).length;
  const removed = [...a].filter((line) => !b.has(line)).length;
  return `text changed (+${added} −${removed} lines)`;
}

function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}
