// Agent sessions as the hooks see them: when they start and end, and how many tool calls they made,
// shared by every server instance so limits hold across a fleet.
import type { PrincipalRef, TenantId } from './ports.ts';

/** What the session's project reported at SessionStart: the facts rules are chosen by. */
export interface SessionProject {
  /** `owner/name` from the git remote, or null. */
  repository: string | null;
  techStacks: string[];
  /** The project's root directory on the developer's machine (`CLAUDE_PROJECT_DIR`), or null. */
  projectDir: string | null;
}

export interface SessionRecord {
  tenantId: TenantId;
  /** Claude Code's session id. */
  id: string;
  principal: PrincipalRef;
  agent: string | null;
  cwd: string | null;
  startedAt: Date;
  endedAt: Date | null;
  toolCalls: number;
  lastSeenAt: Date;
  project: SessionProject | null;
}

export interface SessionStart {
  id: string;
  principal: PrincipalRef;
  agent: string | null;
  cwd: string | null;
  at: Date;
  /** Start of the day (UTC) sessions are counted from. */
  dayStart: Date;
  /** Recorded when given, also on a session that already exists (its tool calls may have come first). */
  project?: SessionProject;
}

export interface SessionStore {
  /**
   * Idempotent per id (resume and compaction fire SessionStart again); counts the sessions this principal
   * started in the tenant since `dayStart`, this one included (`limits.max_sessions_per_day` is per user).
   */
  start(tenantId: TenantId, session: SessionStart): Promise<{ created: boolean; startedToday: number }>;
  /** One more tool call, atomically; creates the session if its start was never seen. Returns the new count. */
  addToolCall(tenantId: TenantId, id: string, principal: PrincipalRef, at: Date): Promise<number>;
  get(tenantId: TenantId, id: string): Promise<SessionRecord | undefined>;
  /** Returns false when the tenant has no such session. */
  end(tenantId: TenantId, id: string, at: Date): Promise<boolean>;
}
