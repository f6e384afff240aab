// Turns zod validation issues into located config problems with plain-language messages and hints.

import type { z } from 'zod';
import { type FieldPath, formatFieldPath, type ProblemList } from './config-problem.ts';
import { closestMatch, didYouMean } from './did-you-mean.ts';
import { positionOf, reportAt, type SourceFile } from './source-file.ts';

export interface ValidateOptions {
  /** Prefix of every path (when the validated value sits inside the file). */
  basePath?: FieldPath;
  /** Report only issues whose location is written in this file (tenant overrides validated merged). */
  onlyWhereWritten?: boolean;
}

/** Validates `value` against `schema`, reporting every issue at its place in `source`. */
export function validateWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  source: SourceFile,
  problems: ProblemList,
  options: ValidateOptions = {},
): z.output<S> | undefined {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const base = options.basePath ?? [];
  for (const issue of result.error.issues) {
    const path = [...base, ...(issue.path as (string | number)[])];
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, issue.path as (string | number)[]);
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        if (options.onlyWhereWritten && !positionOf(source, keyPath).exact) continue;
        reportAt(problems, source, keyPath, `unknown key "${key}"`, {
          target: 'key',
          hint:
            didYouMean(key, allowed) ??
            (allowed.length > 0 ? `allowed keys: ${allowed.join(', ')}` : undefined),
        });
      }
      continue;
    }
    if (options.onlyWhereWritten && !isWrittenIn(source, path, issue)) continue;
    if (source.reported.has(formatFieldPath(path))) continue;
    const { message, hint } = describeIssue(issue, path);
    // Custom checks of a mapping's key names (agent names) point at the key, not its value.
    const target =
      issue.code === 'custom' && (issue.params as { target?: string } | undefined)?.target === 'key';
    reportAt(problems, source, path, message, { hint, target: target ? 'key' : 'value' });
  }
  return undefined;
}

function isWrittenIn(source: SourceFile, path: FieldPath, issue: z.core.$ZodIssue): boolean {
  // A missing required key counts as written here when its parent object is.
  const probe = issue.code === 'invalid_type' && issue.input === undefined ? path.slice(0, -1) : path;
  return probe.length > 0 && positionOf(source, probe).exact;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  path: FieldPath,
): { message: string; hint?: string | undefined } {
  const last = path[path.length - 1];
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return { message: `missing required key "${String(last)}"` };
      const expected = issue.expected === 'int' ? 'an integer' : article(issue.expected);
      return {
        message: `expected ${expected}, got ${describeValue(issue.input)}`,
        hint: typeHint(issue.expected, issue.input),
      };
    }
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v));
      const near = typeof issue.input === 'string' ? closestMatch(issue.input, allowed) : undefined;
      return {
        message: `invalid value ${describeValue(issue.input)}`,
        hint: `${near ? `did you mean "${near}"? ` : ''}allowed values: ${allowed.join(', ')}`,
      };
    }
    case 'too_small': {
      if (issue.origin === 'array') return { message: `must have at least ${issue.minimum} item(s)` };
      if (issue.origin === 'string') return { message: 'must not be empty' };
      return {
        message: `must be ${issue.inclusive ? '≥' : '>'} ${issue.minimum}, got ${String(issue.input)}`,
      };
    }
    case 'too_big': {
      if (issue.origin === 'array') return { message: `must have at most ${issue.maximum} item(s)` };
      if (issue.origin === 'string') return { message: `must be at most ${issue.maximum} characters` };
      return {
        message: `must be ${issue.inclusive ? '≤' : '<'} ${issue.maximum}, got ${String(issue.input)}`,
      };
    }
    case 'invalid_format':
      return {
        message: issue.message.startsWith('Invalid')
          ? `invalid ${issue.format} ${describeValue(issue.input)}`
          : issue.message,
      };
    case 'custom': {
      const params = issue.params as { hint?: string } | undefined;
      return { message: issue.message, hint: params?.hint };
    }
    default:
      return { message: issue.message };
  }
}

function article(type: string): string {
  if (type === 'array') return 'a list';
  if (type === 'object') return 'a mapping';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** `string "10MB"`, `number 3`, `a list`: what the user wrote, briefly. */
export function describeValue(value: unknown): string {
  if (value === null) return 'an empty value (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function typeHint(expected: string, input: unknown): string | undefined {
  if ((expected === 'number' || expected === 'int') && typeof input === 'string') {
    if (/^\s*\d+(\.\d+)?\s*(b|kb|mb|gb|kib|mib|gib)\s*$/i.test(input))
      return 'write bytes as an integer, e.g. 10485760 for 10 MB';
    if (/^\s*-?\d+(\.\d+)?\s*$/.test(input)) return 'remove the quotes around the number';
    return 'write a number without units or quotes';
  }
  if (expected === 'int' && typeof input === 'number') return 'write a whole number';
  if (expected === 'boolean' && typeof input === 'string') return 'write true or false without quotes';
  if (expected === 'array' && typeof input === 'string')
    return `write a list: [${input}] or one "- item" per line`;
  if (expected === 'object' && input === null)
    return 'the key has no value; add its entries or remove the key';
  return undefined;
}

type SchemaDef = { type: string; [key: string]: unknown };

function defOf(schema: unknown): SchemaDef | undefined {
  const zod = (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod;
  return zod?.def;
}

/** The keys a strict object accepts at `path` inside `schema` (for did-you-mean on unknown keys). */
export function allowedKeys(schema: unknown, path: readonly (string | number)[]): string[] {
  let current: unknown = schema;
  let remaining = [...path];
  for (let guard = 0; guard < 200; guard++) {
    const def = defOf(current);
    if (!def) return [];
    if (
      ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)
    ) {
      current = def.innerType;
    } else if (def.type === 'pipe') {
      current = def.in;
    } else if (def.type === 'lazy') {
      current = (def.getter as () => unknown)();
    } else if (def.type === 'union') {
      current = (def.options as unknown[]).find((option) => unwrapType(option) === 'object');
    } else if (remaining.length === 0) {
      return def.type === 'object' ? Object.keys(def.shape as object) : [];
    } else {
      const [segment, ...rest] = remaining;
      remaining = rest;
      if (def.type === 'object') current = (def.shape as Record<string, unknown>)[String(segment)];
      else if (def.type === 'array') current = def.element;
      else if (def.type === 'record') current = def.valueType;
      else return [];
    }
  }
  return [];
}

function unwrapType(schema: unknown): string | undefined {
  let def = defOf(schema);
  while (def && ['optional', 'nullable', 'default', 'prefault', 'pipe'].includes(def.type)) {
    def = defOf(def.type === 'pipe' ? def.in : def.innerType);
  }
  return def?.type;
}
