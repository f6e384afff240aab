// Building blocks shared by the config schemas: checked strings, ids, emails, durations, org refs.

import { z } from 'zod';
import type { OrgRef } from '../policy-config.ts';
import type { PatternError } from './permission-patterns.ts';

/** A string schema that reports `check`'s message and hint as a custom issue. */
export function checkedString(check: (value: string) => PatternError | undefined) {
  return z.string().superRefine((value, ctx) => {
    const error = check(value);
    if (error)
      ctx.addIssue({ code: 'custom', message: error.message, params: { hint: error.hint }, input: value });
  });
}

/** A list that defaults to empty. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.array(item).default([]);
}

const SLUG = /^[a-z0-9][a-z0-9_-]*$/;

/** An id of an org node, group, budget or role: lowercase letters, digits, `-` and `_`. */
export const idSchema = checkedString((value) =>
  SLUG.test(value)
    ? undefined
    : {
        message: `invalid id "${value}"`,
        hint: 'use lowercase letters, digits, - and _, starting with a letter or digit',
      },
);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isEmail(value: string): boolean {
  return EMAIL.test(value);
}

export const emailSchema = checkedString((value) =>
  EMAIL.test(value)
    ? undefined
    : { message: `invalid email "${value}"`, hint: 'write a full address such as alice@acme.test' },
);

export const durationSchema = checkedString((value) =>
  /^\d+(s|m|h|d)$/.test(value)
    ? undefined
    : { message: `invalid duration "${value}"`, hint: 'write a number and a unit: 30s, 5m, 1h, 1d' },
);

const ORG_LEVELS = ['tenant', 'business_unit', 'team', 'user'] as const;
const REF_HINT = 'write tenant, business_unit:<id>, team:<id> or user:<email>';

/** Parses the compact form (`team:platform`) of an org ref; returns a message when it is malformed. */
export function parseOrgRef(value: unknown): OrgRef | string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { level, id } = value as { level?: unknown; id?: unknown };
    if (typeof level === 'string' && (typeof id === 'string' || id === undefined)) {
      return parseOrgRef(id === undefined ? level : `${level}:${id}`);
    }
    return 'an org ref object needs a string "level" and, below the tenant, a string "id"';
  }
  if (typeof value !== 'string') return 'expected an org ref string';
  if (value === 'tenant') return { level: 'tenant' };
  const colon = value.indexOf(':');
  const level = colon === -1 ? value : value.slice(0, colon);
  const id = colon === -1 ? '' : value.slice(colon + 1);
  if (!(ORG_LEVELS as readonly string[]).includes(level) || level === 'tenant') {
    return `invalid org ref "${value}": unknown level "${level}"`;
  }
  if (id === '') return `invalid org ref "${value}": missing id after "${level}:"`;
  if (level === 'user' && !isEmail(id)) return `invalid org ref "${value}": a user is referred to by email`;
  return { level: level as OrgRef['level'], id };
}

/** An org ref, written `team:platform` (or `{level, id}`), normalized to `{level, id}`. */
export const orgRefSchema = z.unknown().transform((value, ctx): OrgRef => {
  const parsed = parseOrgRef(value);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed, params: { hint: REF_HINT }, input: value });
    return z.NEVER;
  }
  return parsed;
});

export function formatOrgRef(ref: OrgRef): string {
  return ref.level === 'tenant' ? 'tenant' : `${ref.level}:${ref.id ?? ''}`;
}
