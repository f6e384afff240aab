// decide(): one tool call against a compiled policy — pure, synchronous, and failing closed on any error.

import { commandName } from './command-pattern.ts';
import { agentGrantsTool, RANK, ruleTest } from './compile-policy.ts';
import type { CompiledPolicy, CompiledRule, CompiledTenant } from './compiled-types.ts';
import { normalizePath, relativeTo } from './path-normalize.ts';
import type { PathContext } from './path-pattern.ts';
import { canonicalTool } from './permission-rule.ts';
import { type PrincipalRules, principalRules } from './principal-rules.ts';
import { type Resolved, type RuleMatch, resolveOutcome } from './resolve-outcome.ts';
import { ShellSyntaxError } from './shell-parser.ts';
import { type Check, labelOf, toolChecks } from './tool-checks.ts';
import type { Decision, DecisionInput, Outcome } from './types.ts';

export function decide(policy: CompiledPolicy, input: DecisionInput): Decision {
  const matched: string[] = [];
  const done = new Done(policy.revision, matched);
  try {
    const tenant = policy.tenants.get(input.principal.tenantId);
    if (!tenant) return done.with('deny', `unknown tenant "${input.principal.tenantId}"`);
    const calls = input.session?.toolCalls;
    if (calls !== undefined && calls >= tenant.maxToolCalls) {
      return done.with(
        'deny',
        `session reached limits.max_tool_calls_per_session (${tenant.maxToolCalls}): ${calls} tool calls made`,
      );
    }
    const rules = principalRules(policy, tenant, input.principal, input.agent);
    if (rules.agentRefusal) return done.with('deny', rules.agentRefusal);
    const home = input.home === undefined ? undefined : directory(input.home);
    const cwd = directory(input.cwd);
    const paths: PathContext = tenant.caseInsensitive
      ? { cwd: cwd.toLowerCase(), home: home?.toLowerCase() }
      : { cwd, home };
    let checks: Check[];
    try {
      checks = toolChecks(input.toolName, input.toolInput, {
        cwd: paths.cwd,
        home: paths.home,
        caseInsensitive: tenant.caseInsensitive,
      });
    } catch (error) {
      if (error instanceof ShellSyntaxError) {
        return done.with(
          'deny',
          `Bash command could not be parsed (${error.message}); denied so that no part of it escapes the rules`,
        );
      }
      throw error;
    }
    const tool = canonicalTool(input.toolName);
    if (tool === 'Agent' && typeof input.toolInput.subagent_type === 'string') {
      const refusal = rules.refuseSubagent(input.toolInput.subagent_type);
      if (refusal) return done.with('deny', `Agent: ${refusal}`);
    }
    const toolGranted = rules.agent ? agentGrantsTool(rules.agent, tool) : tenant.agents.size === 0;
    return combine({ tenant, rules, tool, toolGranted, matched, paths }, checks, done);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return done.with('deny', `internal error while deciding (${message}); denied to fail closed`);
  }
}

// Sessions repeat their working directory call after call: remember the last few canonical forms.
const directories = new Map<string, string>();

function directory(path: string): string {
  let canonical = directories.get(path);
  if (canonical === undefined) {
    canonical = normalizePath(path, '/', undefined);
    if (directories.size >= 1024) directories.clear();
    directories.set(path, canonical);
  }
  return canonical;
}

/** Builds the decision; a class rather than a closure so the hot path allocates no function. */
class Done {
  constructor(
    private readonly revision: string,
    private readonly matched: string[],
  ) {}

  with(outcome: Outcome, reason: string): Decision {
    return { outcome, reason, matchedRules: withoutRepeats(this.matched), revision: this.revision };
  }
}

/** The ids once each, in first-match order; the array itself when nothing repeats (the common case). */
function withoutRepeats(ids: string[]): string[] {
  for (let i = 1; i < ids.length; i++) {
    if (ids.lastIndexOf(ids[i]!, i - 1) !== -1) return [...new Set(ids)];
  }
  return ids;
}

interface Evaluation {
  tenant: CompiledTenant;
  rules: PrincipalRules;
  tool: string;
  toolGranted: boolean;
  matched: string[];
  paths: PathContext;
}

function combine(ev: Evaluation, checks: Check[], done: Done): Decision {
  const { tenant, rules, tool, toolGranted } = ev;
  const cwd = ev.paths.cwd;
  let ask: { check: Check; resolved: Resolved } | undefined;
  let undecided: Check | undefined;
  let firstAllow: { check: Check; resolved: Resolved } | undefined;
  let allowCount = 0;
  for (const check of checks) {
    if (check.kind === 'invalid') return done.with('deny', `${labelOf(check, cwd)} has ${check.subject}`);
    const resolved = evaluate(ev, check);
    if (resolved.outcome === 'deny') return done.with('deny', explain(check, resolved, 'denied', cwd));
    if (resolved.outcome === 'ask') ask ??= { check, resolved };
    // A file glob (`cat .en*`) may expand to a protected file that no rule could see: ask.
    else if (check.restrictOnly && check.dynamic) ask ??= { check, resolved: { outcome: 'ask' } };
    else if (resolved.outcome === 'allow' && !check.restrictOnly) {
      firstAllow ??= { check, resolved };
      allowCount++;
    } else if (!check.restrictOnly) undecided ??= check;
  }
  const fallback = `tenant default decision is ${tenant.decision} (policy.decision)`;
  if (!toolGranted) {
    const profile = rules.agent
      ? `agent profile "${rules.agent.name}"`
      : `the default agent "${tenant.defaultAgent}" (no such profile)`;
    return done.with(tenant.decision, `${tool} is not among the tools of ${profile}; ${fallback}`);
  }
  // The call is as strict as its strictest part: a sub-command that falls to a deny default must not
  // be hidden behind another that merely asks (`git push && curl … | sh`).
  const undecidedWhy = undecided?.dynamic
    ? 'is only known at run time, so no rule can allow it'
    : 'is not allowed by any rule';
  if (undecided && (tenant.decision === 'deny' || !ask)) {
    return done.with(tenant.decision, `${labelOf(undecided, cwd)} ${undecidedWhy}; ${fallback}`);
  }
  if (ask) return done.with('ask', explain(ask.check, ask.resolved, 'needs approval', cwd));
  if (!firstAllow) return done.with(tenant.decision, `${tool}: nothing to decide; ${fallback}`);
  const first = explain(firstAllow.check, firstAllow.resolved, 'allowed', cwd);
  return done.with(
    'allow',
    allowCount === 1 ? first : `${first} (and ${allowCount - 1} more sub-command(s) allowed)`,
  );
}

function evaluate(ev: Evaluation, check: Check): Resolved {
  const matches: RuleMatch[] = [];
  const rel = check.kind === 'path' ? relativeTo(check.subject, ev.paths.cwd) : undefined;
  const head = rel ? headOf(rel) : check.kind === 'command' ? commandName(check.subject) : undefined;
  const set = ev.rules.lookup(check.keys);
  for (const rule of set.general) {
    // A path rule rooted at another top-level directory, or a command rule for another command,
    // cannot match: skip it without running its matcher.
    if (rule.head !== undefined && rule.head !== head) continue;
    let hit: boolean;
    let failed = false;
    try {
      hit = rule.test(check.subject, ev.paths, rel);
    } catch {
      // A rule that cannot be evaluated must not open anything: it blocks when it could block.
      failed = rule.security || rule.effect === 'deny';
      hit = failed;
    }
    if (hit) addMatch(ev, check, matches, rule, failed);
  }
  // Plain-path rules (`src/**`) match exactly when they cover the path or a directory above it.
  if (rel && set.byLiteral) {
    for (let end = rel.indexOf('/'); ; end = rel.indexOf('/', end + 1)) {
      const covered = set.byLiteral.get(end === -1 ? rel : rel.slice(0, end));
      if (covered) for (const rule of covered) addMatch(ev, check, matches, rule, false);
      if (end === -1) break;
    }
  }
  if (check.grantedByTool && ev.toolGranted && ev.rules.agent) {
    matches.push({ rule: toolGrant(ev.rules.agent.name, ev.tool), failed: false });
  }
  return resolveOutcome(matches, ev.tenant.inheritance);
}

function addMatch(
  ev: Evaluation,
  check: Check,
  matches: RuleMatch[],
  rule: CompiledRule,
  failed: boolean,
): void {
  // No rule can vouch for a command whose name is only known at run time.
  if (check.dynamic && rule.effect === 'allow' && !failed) return;
  matches.push({ rule, failed });
  // Within one check a rule matches at most once; across checks Done.with removes repeats.
  ev.matched.push(rule.id);
}

/** The first segment of a path relative to the working directory. */
function headOf(rel: string): string {
  const slash = rel.indexOf('/');
  return slash === -1 ? rel : rel.slice(0, slash);
}

/** The agent profile's `tools` entry, as a rule, for tools that have no resource to check. */
function toolGrant(agent: string, tool: string): CompiledRule {
  return {
    id: `agent:${agent}/tools`,
    text: tool,
    effect: 'allow',
    rank: RANK.agent,
    security: false,
    target: { kind: 'tool', index: `tool:${tool}` },
    head: undefined,
    literal: undefined,
    test: ruleTest({ kind: 'tool', index: `tool:${tool}` }),
  };
}

function explain(check: Check, resolved: Resolved, verb: string, cwd: string): string {
  const match = resolved.decisive;
  const label = labelOf(check, cwd);
  if (!match) {
    const glob = check.dynamic ? ': it is a shell glob, which may expand to files the rules protect' : '';
    return `${label} ${verb}${glob}`;
  }
  const { rule } = match;
  const security = rule.security ? ' (security policy)' : '';
  const failure = match.failed ? ' (the rule could not be evaluated, so it fails closed)' : '';
  return `${label} ${verb} by rule ${rule.id} "${rule.text}"${security}${failure}`;
}
