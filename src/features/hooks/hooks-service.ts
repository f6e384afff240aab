// Decides and records every Claude Code hook event: tool calls against the policy, prompts against
// the credential scanner, sessions against the tenant's limits. A response leaves only after its
// audit record is durable.
import { posix } from 'node:path';
import type { MainConfig, PolicyConfig } from '../../config/policy-config.ts';
import type { AuditEvent } from '../../core/audit-chain/audit-record.ts';
import type { JsonValue } from '../../core/bundles/canonical-json.ts';
import { type Clock, systemClock } from '../../core/clock/clock.ts';
import { AppError, AuthenticationError } from '../../core/errors/app-error.ts';
import {
  type CompiledPolicy,
  type Decision,
  type DecisionInput,
  decide,
  type PolicyPrincipal,
} from '../../core/policy/index.ts';
import { inCanary } from '../../core/rollout/canary.ts';
import type { RuleAudience } from '../../core/rules/rule-audience.ts';
import { describeFindings, scanForCredentials } from '../../core/secrets/credential-scanner.ts';
import {
  sessionDayStart,
  sessionLimitReason,
  sessionsBeforeRefusal,
} from '../../core/sessions/daily-session-limit.ts';
import type { SessionProject, SessionStore } from '../../storage/session-port.ts';
import { auditWanted } from '../audit/audit-wanted.ts';
import type { ActiveBundle } from '../bundles/active-bundle.ts';
import { tenantConfig } from '../bundles/tenant-config.ts';
import type { AuthenticatedKey, CredentialAuthenticator } from '../keys/keys-service.ts';
import type { HookDecisionCounter } from '../metrics/hook-metrics.ts';
import type { SessionRules } from '../rules/session-rules.ts';
import { type AuditSink, toolAuditContext } from './hook-audit.ts';
import { type HookInput, isToolEvent, type ToolHookInput } from './hook-input.ts';
import { formatHookResponse, type HookResponse, type HookVerdict } from './hook-response.ts';
import type { PolicyCache } from './policy-cache.ts';

export interface HooksDeps {
  credentials: CredentialAuthenticator;
  /** Rules for starting sessions; without it sessions start with no rules in their context. */
  rules?: SessionRules;
  bundle: ActiveBundle;
  policies: PolicyCache;
  sessions: SessionStore;
  audit: AuditSink;
  clock?: Clock;
  /** Counts every answer by event and outcome (the Prometheus metrics); none when unset. */
  decisions?: HookDecisionCounter;
}

/** What the HTTP request adds to a hook event: the project SessionStart reported, this server's URL. */
export interface HookRequestInfo {
  project?: SessionProject;
  serverUrl?: string;
}

export class HooksService {
  private readonly clock: Clock;

  constructor(private readonly deps: HooksDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  async handle(
    credential: string | undefined,
    input: HookInput,
    request: HookRequestInfo = {},
  ): Promise<HookResponse> {
    const verdict = await this.verdictFor(credential, input, request);
    this.deps.decisions?.decided(input.hook_event_name, verdict.kind);
    return formatHookResponse(input.hook_event_name, verdict);
  }

  private async verdictFor(
    credential: string | undefined,
    input: HookInput,
    request: HookRequestInfo,
  ): Promise<HookVerdict> {
    let ctx: EventContext;
    try {
      ctx = { ...(await this.prepare(credential, input)), request };
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // Refusals are answered in the event's own terms, so Claude Code shows why it was stopped.
      return { kind: 'deny', reason: `LLM-RULES: ${error.message}` };
    }
    return this.dispatch(ctx);
  }

  /** The decision for one tool call as plain data (`POST /v1/decide`); refusals are errors (401, 503). */
  async decideTool(credential: string | undefined, input: ToolHookInput): Promise<Decision> {
    const decision = await this.evaluateTool(await this.prepare(credential, input), input);
    this.deps.decisions?.decided(
      input.hook_event_name,
      decision.outcome === 'defer' ? 'none' : decision.outcome,
    );
    return decision;
  }

  /** Who is calling, under which bundle and config; fails closed when either is missing. */
  private async prepare(credential: string | undefined, input: HookInput): Promise<EventContext> {
    if (!credential) {
      throw new AuthenticationError(
        'No LLM-RULES token was sent; set LLM_RULES_TOKEN (see `llm-rules connect`).',
      );
    }
    const who = await this.deps.credentials.authenticate(credential);
    const loaded = this.deps.bundle.current();
    const policy = this.deps.policies.current();
    const config = loaded ? tenantConfig(loaded.content, who.tenantId) : undefined;
    if (!loaded || !policy || !config) {
      throw new AppError(
        503,
        'no_active_policy',
        `no policy is active for tenant '${who.tenantId}'; nothing may run until one is applied.`,
      );
    }
    return { who, input, revision: loaded.revision, content: loaded.content, config, policy, request: {} };
  }

  private async dispatch(ctx: EventContext): Promise<HookVerdict> {
    const { input } = ctx;
    switch (input.hook_event_name) {
      case 'PreToolUse':
      case 'PermissionRequest':
        return this.verdictForTool(ctx);
      case 'PostToolUse':
      case 'PostToolUseFailure':
        return this.afterTool(ctx);
      case 'UserPromptSubmit':
        return this.checkPrompt(ctx);
      case 'SessionStart':
      case 'SubagentStart':
        return this.startSession(ctx);
      case 'SessionEnd':
        await this.deps.sessions.end(ctx.who.tenantId, input.session_id, this.clock.now());
        await this.record(ctx, 'session', { phase: 'end', reason: input.reason ?? null });
        return { kind: 'none' };
      default:
        return { kind: 'none' };
    }
  }

  private async verdictForTool(ctx: EventContext): Promise<HookVerdict> {
    if (!isToolEvent(ctx.input)) return { kind: 'deny', reason: 'LLM-RULES: the event names no tool.' };
    const decision = await this.evaluateTool(ctx, ctx.input);
    if (decision.outcome === 'defer') return { kind: 'none' };
    return { kind: decision.outcome, reason: decision.reason };
  }

  /** Decides against the compiled policy and records the decision durably before returning it. */
  private async evaluateTool(ctx: EventContext, input: ToolHookInput): Promise<Decision> {
    const { who } = ctx;
    const session = await this.deps.sessions.get(who.tenantId, input.session_id);
    const request: DecisionInput = {
      principal: principalOf(who),
      ...(input.agent_type ? { agent: input.agent_type } : {}),
      toolName: input.tool_name,
      toolInput: input.tool_input,
      cwd: input.cwd,
      session: { toolCalls: session?.toolCalls ?? 0 },
    };
    const active = decide(ctx.policy, request);
    const { enforced, revision, rollout } = this.tryCandidate(ctx, request, active);
    await this.record(
      ctx,
      'decision',
      {
        hook_event: input.hook_event_name,
        outcome: enforced.outcome,
        reason: enforced.reason,
        rules: enforced.matchedRules,
        ...toolAuditContext(input),
        ...rollout,
      },
      revision,
    );
    return enforced;
  }

  /**
   * A candidate bundle is decided beside the active one: a canary decides for the users in its
   * share; otherwise only a difference is recorded (`shadow`), never enforced.
   */
  private tryCandidate(
    ctx: EventContext,
    request: DecisionInput,
    active: Decision,
  ): { enforced: Decision; revision: string; rollout: Record<string, JsonValue> } {
    const candidate = this.deps.policies.candidate();
    if (!candidate || candidate.revision === ctx.revision)
      return { enforced: active, revision: ctx.revision, rollout: {} };
    const tried = decide(candidate.policy, request);
    if (candidate.mode === 'canary' && inCanary(ctx.who.tenantId, ctx.who.principal.id, candidate.percent)) {
      return {
        enforced: tried,
        revision: candidate.revision,
        rollout: {
          canary: {
            revision: candidate.revision,
            active_revision: ctx.revision,
            active_outcome: active.outcome,
          },
        },
      };
    }
    if (tried.outcome === active.outcome) return { enforced: active, revision: ctx.revision, rollout: {} };
    return {
      enforced: active,
      revision: ctx.revision,
      rollout: {
        shadow: {
          revision: candidate.revision,
          outcome: tried.outcome,
          would: `would_${tried.outcome}`,
          reason: tried.reason,
        },
      },
    };
  }

  private async afterTool(ctx: EventContext): Promise<HookVerdict> {
    const { input, who } = ctx;
    const calls = await this.deps.sessions.addToolCall(
      who.tenantId,
      input.session_id,
      who.principal,
      this.clock.now(),
    );
    const details = isToolEvent(input) ? toolAuditContext(input) : {};
    await this.record(ctx, 'tool_use', {
      failed: input.hook_event_name === 'PostToolUseFailure',
      calls,
      ...details,
    });
    if ('file' in details) await this.record(ctx, 'file_access', details);
    return { kind: 'none' };
  }

  private async checkPrompt(ctx: EventContext): Promise<HookVerdict> {
    const prompt = ctx.input.prompt ?? '';
    const findings = scanForCredentials(prompt);
    if (findings.length === 0) {
      // That a prompt was sent and how long it was; never what it said.
      await this.record(ctx, 'prompt_submit', { characters: prompt.length });
      return { kind: 'none' };
    }
    // The audit names what was found and where, never the prompt itself.
    await this.record(ctx, 'prompt_blocked', { findings: findings.map((f) => ({ ...f })) });
    return { kind: 'deny', reason: describeFindings(findings) };
  }

  private async startSession(ctx: EventContext): Promise<HookVerdict> {
    const { input, who, config } = ctx;
    const now = this.clock.now();
    const dayStart = sessionDayStart(now);
    const reported = ctx.request.project;
    const started = await this.deps.sessions.start(who.tenantId, {
      id: input.session_id,
      principal: who.principal,
      agent: input.agent_type ?? null,
      cwd: input.cwd,
      at: now,
      dayStart,
      ...(reported ? { project: reported } : {}),
    });
    const limit = config.limits.max_sessions_per_day;
    const startedBefore = sessionsBeforeRefusal(started, limit);
    if (input.hook_event_name === 'SessionStart' && startedBefore !== undefined) {
      const reason = `LLM-RULES: you have ${sessionLimitReason(startedBefore, limit)}`;
      await this.record(ctx, 'session', { phase: 'refused', reason, started_today: started.startedToday });
      return { kind: 'stop', reason };
    }
    const agent = input.agent_type ?? config.policy.default_agent ?? 'developer';
    // A subagent (or a resumed session) reports no project: it works in the one its session started in.
    const project =
      reported ?? (await this.deps.sessions.get(who.tenantId, input.session_id))?.project ?? null;
    const rules = this.deps.rules?.forSession({
      content: ctx.content,
      revision: ctx.revision,
      config,
      audience: audienceOf(who, agent, project, input.cwd),
      serverUrl: ctx.request.serverUrl ?? 'http://localhost',
    });
    await this.record(ctx, 'agent_activation', {
      source: input.source ?? null,
      agent_type: input.agent_type ?? null,
      agent,
      repository: project?.repository ?? null,
      tech_stacks: project?.techStacks ?? [],
      files_loaded: rules?.loaded ?? [],
      rules_omitted: rules?.omitted ?? [],
    });
    return rules?.text ? { kind: 'none', additionalContext: rules.text } : { kind: 'none' };
  }

  private async record(
    ctx: EventContext,
    event: AuditEvent,
    context: Record<string, JsonValue>,
    revision = ctx.revision,
  ): Promise<void> {
    const { who, input, config } = ctx;
    // Decisions are always recorded: they are what the trail exists for. Other events follow audit.events.
    if (event !== 'decision' && event !== 'prompt_blocked' && !auditWanted(config, event)) return;
    await this.deps.audit.record(who.tenantId, {
      event,
      user: who.principal.id,
      agent: input.agent_type ?? null,
      sessionId: input.session_id,
      bundleRevision: revision,
      context,
    });
  }
}

interface EventContext {
  who: AuthenticatedKey;
  input: HookInput;
  revision: string;
  content: PolicyConfig;
  config: MainConfig;
  policy: CompiledPolicy;
  request: HookRequestInfo;
}

function audienceOf(
  who: AuthenticatedKey,
  agent: string,
  project: SessionProject | null,
  cwd: string,
): RuleAudience {
  const principal = principalOf(who);
  return {
    tenantId: who.tenantId,
    businessUnitId: principal.businessUnitId,
    teamId: principal.teamId,
    agent,
    repository: project?.repository ?? null,
    techStacks: project?.techStacks ?? [],
    projectPath: projectPath(project?.projectDir ?? null, cwd),
  };
}

/** The session's directory relative to the project root; null when either is unknown or it lies outside. */
function projectPath(projectDir: string | null, cwd: string): string | null {
  if (!projectDir || !cwd) return null;
  const rel = posix.relative(projectDir, cwd);
  return rel.startsWith('..') || posix.isAbsolute(rel) ? null : rel;
}

function principalOf(who: AuthenticatedKey): PolicyPrincipal {
  const profile = who.profile;
  return {
    tenantId: who.tenantId,
    userId: who.principal.id,
    roles: profile.roles,
    groups: 'groups' in profile ? profile.groups : [],
    businessUnitId: 'businessUnitId' in profile ? profile.businessUnitId : null,
    teamId: profile.teamId,
  };
}
