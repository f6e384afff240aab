// In-process policy decisions: decide() with 10,000 rules across 250 teams, against the targets.

import { emptyOrgConfig } from '../src/config/load-org.ts';
import type { PolicyConfig, PolicyRules, TeamConfig } from '../src/config/policy-config.ts';
import { compilePolicy, type DecisionInput, decide, type PolicyPrincipal } from '../src/core/policy/index.ts';
import { report, type Stats } from './measure.ts';
import { benchMainConfig } from './support/bench-main-config.ts';

const TEAMS = 250;
const BUSINESS_UNITS = 10;
const RULES_PER_TEAM = 40;

/** 40 rules per team of every kind: paths, commands, domains, MCP tools. */
function teamRules(t: number): PolicyRules {
  const allow: string[] = [];
  const ask: string[] = [];
  const deny: string[] = [];
  for (let i = 0; i < RULES_PER_TEAM / 4; i++) {
    allow.push(i % 2 === 0 ? `Edit(services/team${t}/mod${i}/**)` : `Bash(make target${t}-${i}:*)`);
    ask.push(i % 2 === 0 ? `WebFetch(domain:svc${i}.team${t}.test)` : `mcp__team${t}__tool${i}`);
    deny.push(i % 2 === 0 ? `Read(services/team${t}/secret${i}/**)` : `Bash(deploy prod-${t}-${i}:*)`);
    deny.push(`Edit(vendor/team${t}/lib${i}/**)`);
  }
  return { allow, ask, deny, security: t % 5 === 0 };
}

export function benchConfig(): PolicyConfig {
  const units = Array.from({ length: BUSINESS_UNITS }, (_, u) => ({
    id: `bu${u}`,
    name: `BU ${u}`,
    teams: [] as TeamConfig[],
    policy: { allow: ['Bash(git commit:*)'], ask: [], deny: [`Edit(bu${u}-frozen/**)`], security: false },
  }));
  for (let t = 0; t < TEAMS; t++) {
    units[t % BUSINESS_UNITS]!.teams.push({
      id: `team${t}`,
      name: `Team ${t}`,
      members: [{ email: `dev${t}@acme.test`, roles: ['developer'], groups: [] }],
      policy: teamRules(t),
    });
  }
  return {
    format_version: 1,
    config: benchMainConfig({
      agent_routing: {
        developer: {
          permissions: {
            tools: ['read', 'write', 'search', 'bash', 'web', 'mcp'],
            files: ['src/**', 'test/**'],
            deny: ['.env*', 'secrets/**'],
            commands: ['npm run test:*', 'git diff *', 'git status'],
            domains: ['*.npmjs.org'],
            mcp: ['github'],
          },
        },
      },
      policy: {
        decision: 'deny',
        security: true,
        allow: [],
        ask: ['Bash(git push:*)'],
        deny: ['Read(.env*)', 'Edit(.env*)', 'Read(secrets/**)', 'Bash(git push --force:*)'],
      },
    }),
    roles: { developer: { permissions: ['agents:*'], inherits: [] } },
    alerts: { alerts: [], channels: {} },
    org: { ...emptyOrgConfig({ id: 'acme', name: 'Acme' }), business_units: units },
    rules: [],
    tenants: [],
    tests: [],
  };
}

export function requests(count: number): DecisionInput[] {
  const calls: [string, Record<string, unknown>][] = [
    ['Read', { file_path: '/repo/src/index.ts' }],
    ['Read', { file_path: '/repo/.env' }],
    ['Edit', { file_path: 'services/team7/mod2/a.ts' }],
    ['Edit', { file_path: 'vendor/team3/lib1/x.js' }],
    ['Grep', { pattern: 'TODO', path: 'src' }],
    ['Bash', { command: 'npm run test:unit' }],
    ['Bash', { command: 'git status && cat .env' }],
    ['Bash', { command: 'git push origin main' }],
    ['WebFetch', { url: 'https://registry.npmjs.org/react' }],
    ['mcp__github__create_issue', { title: 'x' }],
  ];
  return Array.from({ length: count }, (_, i) => {
    const t = (i * 7919) % TEAMS;
    const principal: PolicyPrincipal = {
      tenantId: 'acme',
      userId: `dev${t}@acme.test`,
      roles: ['developer'],
      groups: [],
      businessUnitId: `bu${t % BUSINESS_UNITS}`,
      teamId: `team${t}`,
    };
    const [toolName, toolInput] = calls[i % calls.length]!;
    return { principal, toolName, toolInput, cwd: '/repo', home: '/home/dev', session: { toolCalls: 3 } };
  });
}

function timeEach(name: string, inputs: DecisionInput[], fn: (input: DecisionInput) => unknown): Stats {
  const n = inputs.length;
  for (let i = 0; i < Math.min(n, 5000); i++) fn(inputs[i]!);
  const samples = new Float64Array(n);
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn(inputs[i]!);
    samples[i] = (performance.now() - t0) * 1000;
  }
  const totalMs = performance.now() - started;
  samples.sort();
  const at = (q: number) => samples[Math.min(n - 1, Math.floor(q * n))]!;
  return {
    name,
    iterations: n,
    meanUs: (totalMs * 1000) / n,
    p50Us: at(0.5),
    p99Us: at(0.99),
    opsPerSec: Math.round(n / (totalMs / 1000)),
  };
}

export async function run(): Promise<void> {
  const content = benchConfig();
  const compileStarted = performance.now();
  const policy = compilePolicy(content, 'bench');
  const compileMs = performance.now() - compileStarted;
  const inputs = requests(100_000);
  const baseline = timeEach('baseline: empty call', inputs, (input) => input.toolName);
  const decisions = timeEach(
    `decide() ${TEAMS * RULES_PER_TEAM} team rules, ${TEAMS} teams`,
    inputs,
    (input) => decide(policy, input),
  );
  const files = inputs.filter((input) => input.toolName === 'Read' || input.toolName === 'Edit');
  const fileOnly = timeEach('decide() file tools only', files, (input) => decide(policy, input));
  const bash = inputs.filter((input) => input.toolName === 'Bash');
  const bashOnly = timeEach('decide() Bash only (parse + split + match)', bash, (input) =>
    decide(policy, input),
  );
  report(
    'Policy decisions in process (target p50 ≤ 2 µs, p99 ≤ 20 µs)',
    [baseline, decisions, fileOnly, bashOnly],
    `compiled ${TEAMS * RULES_PER_TEAM} team rules in ${compileMs.toFixed(1)} ms; all calls: p50 ${decisions.p50Us.toFixed(2)} µs (target ≤ 2), p99 ${decisions.p99Us.toFixed(2)} µs (target ≤ 20); timer overhead is the baseline row.`,
  );
}
