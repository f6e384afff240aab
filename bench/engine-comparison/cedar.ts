// The comparison policy in Cedar: one permit/forbid per rule, users in teams in the tenant, files with a path.

import { setFlagsFromString } from 'node:v8';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { type PathRule, type Request, TEAMS, USERS_PER_TEAM, userOf } from './policy.ts';

// Node 20.20's V8 aborts ("Fatal error … unreachable code" in Deoptimizer::DoComputeBuiltinContinuation)
// after some thousands of cedar-wasm calls when TurboFan inlines the JS→Wasm calls; not inlining them
// avoids it. It only changes how JS calls into WebAssembly, which nothing else in the benchmarks does.
setFlagsFromString('--no-turbo-inline-js-wasm-calls');

const POLICY_SET_ID = 'engine-comparison';

function literal(s: string): string {
  // Cedar string literal, and `like` pattern: `*` is the wildcard, so a literal one is escaped.
  return JSON.stringify(s).replaceAll('*', '\\*');
}

/** `permit (principal in Team::"team7", action == Action::"Read", resource) when { resource.path like "…/*" };` */
export function cedarPolicy(rule: PathRule): string {
  const principal = rule.team === undefined ? 'Tenant::"acme"' : `Team::"team${rule.team}"`;
  const p = literal(rule.pattern).slice(1, -1);
  const condition =
    rule.kind === 'prefix'
      ? `resource.path like "${p}/*"`
      : `resource.path like "${p}*" || resource.path like "*/${p}*"`;
  const effect = rule.effect === 'allow' ? 'permit' : 'forbid';
  return `@id(${JSON.stringify(rule.id)})\n${effect} (principal in ${principal}, action == Action::"${rule.action}", resource is File) when { ${condition} };`;
}

export interface CedarEngine {
  /** Every policy, as one text (10,005 policies). */
  policiesText: string;
  /** Per team: its 40 policies and the 5 tenant-wide ones, all that can apply to its members. */
  sliceTexts: string[];
  /** One complete call per request against the whole pre-parsed set, built before timing. */
  calls: cedar.StatefulAuthorizationCall[];
  /** The same calls against the pre-parsed slice of the request's team. */
  sliceCalls: cedar.StatefulAuthorizationCall[];
  /** The team of each request, to pick its slice. */
  teams: number[];
}

function preparse(id: string, text: string): void {
  const parsed = cedar.preparsePolicySet(id, { staticPolicies: text });
  if (parsed.type !== 'success') {
    throw new Error(
      `Cedar could not parse policy set ${id}: ${parsed.errors.map((e) => e.message).join('; ')}`,
    );
  }
}

export function buildCedar(rules: readonly PathRule[], requests: readonly Request[]): CedarEngine {
  const policiesText = rules.map(cedarPolicy).join('\n');
  preparse(POLICY_SET_ID, policiesText);
  const tenantText = rules.filter((r) => r.team === undefined).map(cedarPolicy);
  const sliceTexts = Array.from({ length: TEAMS }, (_, t) =>
    [...tenantText, ...rules.filter((r) => r.team === t).map(cedarPolicy)].join('\n'),
  );
  for (const [t, text] of sliceTexts.entries()) preparse(`${POLICY_SET_ID}/team${t}`, text);
  const tenant: cedar.EntityJson = { uid: { type: 'Tenant', id: 'acme' }, attrs: {}, parents: [] };
  const teams = Array.from(
    { length: TEAMS },
    (_, t): cedar.EntityJson => ({ uid: { type: 'Team', id: `team${t}` }, attrs: {}, parents: [tenant.uid] }),
  );
  const users = new Map<string, cedar.EntityJson>();
  for (let t = 0; t < TEAMS; t++) {
    for (let n = 0; n < USERS_PER_TEAM; n++) {
      const id = userOf(t, n);
      users.set(id, { uid: { type: 'User', id }, attrs: {}, parents: [teams[t]!.uid] });
    }
  }
  const calls = requests.map((r): cedar.StatefulAuthorizationCall => {
    const user = users.get(r.user)!;
    const file: cedar.EntityJson = {
      uid: { type: 'File', id: r.path },
      attrs: { path: r.path },
      parents: [],
    };
    return {
      principal: user.uid,
      action: { type: 'Action', id: r.action },
      resource: file.uid,
      context: {},
      preparsedPolicySetId: POLICY_SET_ID,
      // Only the entities this request needs: the user, its team, the tenant and the file.
      entities: [user, teams[r.team]!, tenant, file],
    };
  });
  const sliceCalls = calls.map((call, i) => ({
    ...call,
    preparsedPolicySetId: `${POLICY_SET_ID}/team${requests[i]!.team}`,
  }));
  return { policiesText, sliceTexts, calls, sliceCalls, teams: requests.map((r) => r.team) };
}

function decision(answer: cedar.AuthorizationAnswer): boolean {
  if (answer.type !== 'success') {
    throw new Error(`Cedar failed: ${answer.errors.map((e) => e.message).join('; ')}`);
  }
  const errors = answer.response.diagnostics.errors;
  if (errors.length > 0)
    throw new Error(`Cedar policy errors: ${errors.map((e) => e.error.message).join('; ')}`);
  return answer.response.decision === 'allow';
}

/** Against the whole pre-parsed set; the call still converts the request and its entities from JS. */
export function cedarAllows(engine: CedarEngine, i: number): boolean {
  return decision(cedar.statefulIsAuthorized(engine.calls[i]!));
}

/** Against the pre-parsed slice of the request's team. */
export function cedarSliceAllows(engine: CedarEngine, i: number): boolean {
  return decision(cedar.statefulIsAuthorized(engine.sliceCalls[i]!));
}

/** The plain `isAuthorized`: parses the team slice's policy text (45 policies) on every call. */
export function cedarSliceAllowsParsing(engine: CedarEngine, i: number): boolean {
  const { preparsedPolicySetId: _, ...call } = engine.calls[i]!;
  const policies = { staticPolicies: engine.sliceTexts[engine.teams[i]!]! };
  return decision(cedar.isAuthorized({ ...call, policies }));
}
