// In-memory SessionStore for unit tests, with the SQL adapters' semantics.
import type { PrincipalRef, TenantId } from '../ports.ts';
import type { SessionRecord, SessionStart, SessionStore } from '../session-port.ts';

const copy = <T>(value: T): T => structuredClone(value);

export class MemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, SessionRecord>();

  async start(tenantId: TenantId, s: SessionStart): Promise<{ created: boolean; startedToday: number }> {
    const key = `${tenantId}\u0000${s.id}`;
    const created = !this.#sessions.has(key);
    if (created) {
      this.#sessions.set(key, {
        tenantId,
        id: s.id,
        principal: copy(s.principal),
        agent: s.agent,
        cwd: s.cwd,
        startedAt: new Date(s.at),
        endedAt: null,
        toolCalls: 0,
        lastSeenAt: new Date(s.at),
        project: null,
      });
    }
    if (s.project) this.#sessions.get(key)!.project = copy(s.project);
    const startedToday = [...this.#sessions.values()].filter(
      (x) =>
        x.tenantId === tenantId &&
        x.principal.type === s.principal.type &&
        x.principal.id === s.principal.id &&
        x.startedAt >= s.dayStart,
    ).length;
    return { created, startedToday };
  }

  async addToolCall(tenantId: TenantId, id: string, principal: PrincipalRef, at: Date): Promise<number> {
    const key = `${tenantId}\u0000${id}`;
    const existing = this.#sessions.get(key);
    if (existing) {
      existing.toolCalls += 1;
      existing.lastSeenAt = new Date(at);
      return existing.toolCalls;
    }
    this.#sessions.set(key, {
      tenantId,
      id,
      principal: copy(principal),
      agent: null,
      cwd: null,
      startedAt: new Date(at),
      endedAt: null,
      toolCalls: 1,
      lastSeenAt: new Date(at),
      project: null,
    });
    return 1;
  }

  async get(tenantId: TenantId, id: string): Promise<SessionRecord | undefined> {
    const found = this.#sessions.get(`${tenantId}\u0000${id}`);
    return found && copy(found);
  }

  async end(tenantId: TenantId, id: string, at: Date): Promise<boolean> {
    const found = this.#sessions.get(`${tenantId}\u0000${id}`);
    if (!found) return false;
    found.endedAt = new Date(at);
    found.lastSeenAt = new Date(at);
    return true;
  }
}
