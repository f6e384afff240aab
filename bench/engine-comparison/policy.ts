// One policy, described once, that the engine comparison builds in each engine; and the shared requests.
//
// Semantics every engine can express: a principal (a user in one team of tenant acme), an action
// (Read or Edit) and a resource (a path relative to the project root). A request is allowed when an
// allow rule for the principal's team or the tenant matches and no deny rule does (deny overrides
// allow); otherwise it is denied (default deny).

import { seededRandom } from '../../test/support/seeded-random.ts';

export const TEAMS = 250;
export const BUSINESS_UNITS = 10;
export const USERS_PER_TEAM = 2;
/** Modules per team; the team may read mod0..mod8 and edit mod0..mod9. */
export const MODULES = 10;

export type Action = 'Read' | 'Edit';
export type Effect = 'allow' | 'deny';

/**
 * `prefix`: the directory `pattern` and everything below it (ours `dir/**`, Cedar `like "dir/*"`,
 * Casbin `keyMatch(obj, "dir/*")`). `segment`: any path segment starts with `pattern` (ours `.env*`,
 * which gitignore-style matches at any depth; Cedar `like ".env*" || like "*\/.env*"`; Casbin
 * `regexMatch(obj, "(^|/)\.env")`).
 */
export interface PathRule {
  id: string;
  /** undefined: a tenant-wide rule, for every user. */
  team: number | undefined;
  effect: Effect;
  action: Action;
  kind: 'prefix' | 'segment';
  pattern: string;
}

export function userOf(team: number, n: number): string {
  return `u${team}-${n}@acme.test`;
}

/** 40 rules per team: 20 allows, 20 denies that carve out of them. */
export function teamRules(t: number): PathRule[] {
  const out: PathRule[] = [];
  const add = (effect: Effect, action: Action, pattern: string): void => {
    out.push({ id: `team${t}/${out.length}`, team: t, effect, action, kind: 'prefix', pattern });
  };
  for (let i = 0; i < MODULES - 1; i++) add('allow', 'Read', `services/team${t}/mod${i}`);
  add('allow', 'Read', `secrets/team${t}`); // overridden by the tenant's secrets/** deny
  for (let i = 0; i < MODULES; i++) add('allow', 'Edit', `services/team${t}/mod${i}`);
  for (let i = 0; i < MODULES; i++) add('deny', 'Edit', `services/team${t}/mod${i}/generated`);
  for (let i = 0; i < MODULES; i++) add('deny', 'Read', `services/team${t}/mod${i}/private`);
  return out;
}

/** Tenant-wide: docs readable by all; `.env*` at any depth and `secrets/**` denied, whatever a team allows. */
export const TENANT_RULES: PathRule[] = [
  { id: 'tenant/0', team: undefined, effect: 'allow', action: 'Read', kind: 'prefix', pattern: 'docs' },
  { id: 'tenant/1', team: undefined, effect: 'deny', action: 'Read', kind: 'segment', pattern: '.env' },
  { id: 'tenant/2', team: undefined, effect: 'deny', action: 'Edit', kind: 'segment', pattern: '.env' },
  { id: 'tenant/3', team: undefined, effect: 'deny', action: 'Read', kind: 'prefix', pattern: 'secrets' },
  { id: 'tenant/4', team: undefined, effect: 'deny', action: 'Edit', kind: 'prefix', pattern: 'secrets' },
];

export function allRules(): PathRule[] {
  const rules = [...TENANT_RULES];
  for (let t = 0; t < TEAMS; t++) rules.push(...teamRules(t));
  return rules;
}

export interface Request {
  user: string;
  team: number;
  action: Action;
  /** Relative to the project root, canonical (no `.`, `..`, `//`). */
  path: string;
  /** What the generator meant the answer to be; the engines are also checked against it. */
  intended: boolean;
  /** Which case of the mix this is, for the listing of disagreements. */
  label: string;
}

type Case = (t: number, i: number, f: number, other: number) => [Action, string, boolean];

const CASES: [string, Case][] = [
  ['read own module', (t, i, f) => ['Read', `services/team${t}/mod${i % 9}/src/file${f}.ts`, true]],
  ['edit own module', (t, i, f) => ['Edit', `services/team${t}/mod${i}/src/file${f}.ts`, true]],
  [
    'edit generated (team deny)',
    (t, i, f) => ['Edit', `services/team${t}/mod${i}/generated/g${f}.ts`, false],
  ],
  ['read generated', (t, i, f) => ['Read', `services/team${t}/mod${i % 9}/generated/g${f}.ts`, true]],
  [
    'read private (team deny)',
    (t, i, f) => ['Read', `services/team${t}/mod${i % 9}/private/p${f}.txt`, false],
  ],
  [
    'read nested .env (tenant deny over team allow)',
    (t, i) => ['Read', `services/team${t}/mod${i % 9}/config/.env.production`, false],
  ],
  [
    'edit .envrc (tenant deny over team allow)',
    (t, i) => ['Edit', `services/team${t}/mod${i}/.envrc`, false],
  ],
  [
    'edit .environment.ts (tenant deny over team allow)',
    (t, i, f) => ['Edit', `services/team${t}/mod${i}/src/.environment${f}.ts`, false],
  ],
  [
    'read own secrets (tenant deny over team allow)',
    (t, _i, f) => ['Read', `secrets/team${t}/key${f}.pem`, false],
  ],
  [
    'read other team (default deny)',
    (_t, i, f, o) => ['Read', `services/team${o}/mod${i % 9}/src/file${f}.ts`, false],
  ],
  [
    'edit other team (default deny)',
    (_t, i, f, o) => ['Edit', `services/team${o}/mod${i}/src/file${f}.ts`, false],
  ],
  ['read docs (tenant allow)', (_t, _i, f) => ['Read', `docs/guide/page${f}.md`, true]],
  ['edit docs (default deny)', (_t, _i, f) => ['Edit', `docs/guide/page${f}.md`, false]],
  [
    'read mod9 (no read rule: default deny)',
    (t, _i, f) => ['Read', `services/team${t}/mod9/src/file${f}.ts`, false],
  ],
  ['read root .env (tenant deny)', () => ['Read', '.env', false]],
  ['read lookalike env.ts', (t, i) => ['Read', `services/team${t}/mod${i % 9}/src/env.ts`, true]],
];

export function requests(count: number, seed = 20261122): Request[] {
  const next = seededRandom(seed);
  const pick = (n: number): number => Math.floor(next() * n);
  return Array.from({ length: count }, (_, k) => {
    const t = pick(TEAMS);
    const other = (t + 1 + pick(TEAMS - 1)) % TEAMS;
    const [label, make] = CASES[k % CASES.length]!;
    const [action, path, intended] = make(t, pick(MODULES), pick(50), other);
    return { user: userOf(t, pick(USERS_PER_TEAM)), team: t, action, path, intended, label };
  });
}
