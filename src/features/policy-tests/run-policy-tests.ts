// Runs the `tests/*.yaml` cases of a config against its own compiled policy, like `opa test`:
// input (who, which agent, which tool call) → expected decision, reason and matched rules.
import { z } from 'zod';
import type { OrgConfig, PolicyConfig } from '../../config/policy-config.ts';
import { compilePolicy, decide, type Outcome, type PolicyPrincipal } from '../../core/policy/index.ts';

const caseInputSchema = z.strictObject({
  user: z.string().min(1).optional(),
  service: z.string().min(1).optional(),
  tenant: z.string().min(1).optional(),
  agent: z.string().min(1).optional(),
  tool_name: z.string().min(1),
  tool_input: z.record(z.string(), z.unknown()).default({}),
  cwd: z.string().min(1).default('/work/project'),
  home: z.string().min(1).optional(),
  tool_calls: z.number().int().min(0).optional(),
});

const caseExpectSchema = z.strictObject({
  decision: z.enum(['allow', 'deny', 'ask', 'defer']),
  /** A substring of the reason, or `/regex/`. */
  reason: z.string().min(1).optional(),
  /** Rule ids that must be among the matched rules. */
  rules: z.array(z.string().min(1)).optional(),
});

export interface PolicyTestResult {
  file: string;
  name: string;
  passed: boolean;
  /** Why it failed, or what it decided. */
  detail: string;
}

export function runPolicyTests(content: PolicyConfig, revision: string): PolicyTestResult[] {
  const policy = compilePolicy(content, revision);
  return content.tests.map((test) => {
    const fail = (detail: string): PolicyTestResult => ({
      file: test.file,
      name: test.name,
      passed: false,
      detail,
    });
    const input = caseInputSchema.safeParse(test.input);
    if (!input.success)
      return fail(`input.${input.error.issues[0]!.path.join('.')}: ${input.error.issues[0]!.message}`);
    const expected = caseExpectSchema.safeParse(test.expect);
    if (!expected.success) {
      return fail(`expect.${expected.error.issues[0]!.path.join('.')}: ${expected.error.issues[0]!.message}`);
    }
    const principal = resolvePrincipal(content, input.data);
    if (typeof principal === 'string') return fail(principal);
    const decision = decide(policy, {
      principal,
      ...(input.data.agent ? { agent: input.data.agent } : {}),
      toolName: input.data.tool_name,
      toolInput: input.data.tool_input,
      cwd: input.data.cwd,
      ...(input.data.home ? { home: input.data.home } : {}),
      ...(input.data.tool_calls !== undefined ? { session: { toolCalls: input.data.tool_calls } } : {}),
    });
    const problems = mismatches(expected.data, decision.outcome, decision.reason, decision.matchedRules);
    const got = `${decision.outcome}: ${decision.reason}`;
    return problems.length > 0
      ? fail(`${problems.join('; ')} (got ${got})`)
      : { file: test.file, name: test.name, passed: true, detail: got };
  });
}

function mismatches(
  expected: z.output<typeof caseExpectSchema>,
  outcome: Outcome,
  reason: string,
  rules: string[],
): string[] {
  const problems: string[] = [];
  if (expected.decision !== outcome) problems.push(`expected ${expected.decision}`);
  if (expected.reason && !reasonMatches(expected.reason, reason))
    problems.push(`reason should match ${expected.reason}`);
  for (const rule of expected.rules ?? [])
    if (!rules.includes(rule)) problems.push(`rule ${rule} should match`);
  return problems;
}

function reasonMatches(pattern: string, reason: string): boolean {
  const regex = /^\/(.*)\/([a-z]*)$/.exec(pattern);
  return regex ? new RegExp(regex[1]!, regex[2]).test(reason) : reason.includes(pattern);
}

/** The principal a case names, from the config's own org (no store needed). */
function resolvePrincipal(
  content: PolicyConfig,
  input: z.output<typeof caseInputSchema>,
): PolicyPrincipal | string {
  const org = orgOf(content, input.tenant);
  if (!org) return `input.tenant: no tenant '${input.tenant}' in this config`;
  if (input.service) {
    const account = org.service_accounts.find((s) => s.id === input.service);
    if (!account) return `input.service: no service account '${input.service}' in tenant '${org.tenant.id}'`;
    const team = account.team ? findTeam(org, account.team) : undefined;
    return {
      tenantId: org.tenant.id,
      userId: account.id,
      roles: account.roles,
      groups: [],
      businessUnitId: team?.businessUnitId ?? null,
      teamId: account.team ?? null,
    };
  }
  if (!input.user) return 'input: name a user (email) or a service account';
  for (const bu of org.business_units) {
    for (const team of bu.teams) {
      const member = team.members.find((m) => m.email.toLowerCase() === input.user!.toLowerCase());
      if (member) {
        return {
          tenantId: org.tenant.id,
          userId: member.email.toLowerCase(),
          roles: member.roles,
          groups: member.groups,
          businessUnitId: bu.id,
          teamId: team.id,
        };
      }
    }
  }
  return `input.user: no member '${input.user}' in tenant '${org.tenant.id}'`;
}

function orgOf(content: PolicyConfig, tenant: string | undefined): OrgConfig | undefined {
  if (!tenant || tenant === content.org.tenant.id) return content.org;
  const found = content.tenants.find((t) => t.id === tenant);
  return found?.org && { ...found.org, tenant: { ...found.org.tenant, id: found.id } };
}

function findTeam(org: OrgConfig, teamId: string): { businessUnitId: string } | undefined {
  for (const bu of org.business_units)
    if (bu.teams.some((t) => t.id === teamId)) return { businessUnitId: bu.id };
  return undefined;
}
