// Contract: SessionStore — idempotent starts, daily counts, atomic tool-call counting, tenant isolation.

import { describe, expect, it } from 'vitest';
import { at, type ContractContext, orgSnapshot, uid } from './contract-fixtures.ts';

const ada = { type: 'user' as const, id: 'ada@example.com' };

export function sessionContract(ctx: ContractContext): void {
  describe('sessions', () => {
    async function tenant(): Promise<string> {
      const id = uid('sess');
      await ctx.storage().org.sync(id, orgSnapshot(id), at(0));
      return id;
    }

    it('starts a session once, however often its start is reported, and counts the day', async () => {
      const sessions = ctx.storage().sessions;
      const t = await tenant();
      const day = at(0);
      const first = await sessions.start(t, {
        id: 's1',
        principal: ada,
        agent: 'developer',
        cwd: '/p',
        at: at(1),
        dayStart: day,
      });
      expect(first).toEqual({ created: true, startedToday: 1 });
      expect(
        await sessions.start(t, {
          id: 's1',
          principal: ada,
          agent: 'developer',
          cwd: '/p',
          at: at(2),
          dayStart: day,
        }),
      ).toEqual({
        created: false,
        startedToday: 1,
      });
      await sessions.start(t, { id: 's2', principal: ada, agent: null, cwd: null, at: at(3), dayStart: day });
      expect(
        (
          await sessions.start(t, {
            id: 's3',
            principal: ada,
            agent: null,
            cwd: null,
            at: at(4),
            dayStart: at(4),
          })
        ).startedToday,
      ).toBe(1);
      // Another user's sessions are theirs: the daily count is per principal.
      const bob = { type: 'user' as const, id: 'bob@example.com' };
      expect(
        (
          await sessions.start(t, {
            id: 'b1',
            principal: bob,
            agent: null,
            cwd: null,
            at: at(5),
            dayStart: day,
          })
        ).startedToday,
      ).toBe(1);
      expect(await sessions.get(t, 's1')).toEqual({
        tenantId: t,
        id: 's1',
        principal: ada,
        agent: 'developer',
        cwd: '/p',
        startedAt: at(1),
        endedAt: null,
        toolCalls: 0,
        lastSeenAt: at(1),
        project: null,
      });
    });

    it('keeps the project a start reports, also for a session whose tool calls came first', async () => {
      const sessions = ctx.storage().sessions;
      const t = await tenant();
      const project = { repository: 'acme/web', techStacks: ['nextjs', 'react'], projectDir: '/home/a/web' };
      await sessions.start(t, {
        id: 'p1',
        principal: ada,
        agent: null,
        cwd: '/home/a/web',
        at: at(1),
        dayStart: at(0),
        project,
      });
      expect((await sessions.get(t, 'p1'))?.project).toEqual(project);
      await sessions.start(t, {
        id: 'p1',
        principal: ada,
        agent: null,
        cwd: '/home/a/web',
        at: at(2),
        dayStart: at(0),
      });
      expect((await sessions.get(t, 'p1'))?.project).toEqual(project);
      await sessions.addToolCall(t, 'p2', ada, at(1));
      expect((await sessions.get(t, 'p2'))?.project).toBeNull();
      const started = await sessions.start(t, {
        id: 'p2',
        principal: ada,
        agent: null,
        cwd: null,
        at: at(2),
        dayStart: at(0),
        project,
      });
      expect(started.created).toBe(false);
      expect((await sessions.get(t, 'p2'))?.project).toEqual(project);
    });

    it('counts tool calls atomically, creating a session it never saw start', async () => {
      const sessions = ctx.storage().sessions;
      // Two instances over one database, as two servers have; the in-memory fake has only itself.
      const other = ctx.storage().dialect === 'memory' ? ctx.storage() : await ctx.another();
      const t = await tenant();
      const counts = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? sessions : other.sessions).addToolCall(t, 'busy', ada, at(10)),
        ),
      );
      expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect((await sessions.get(t, 'busy'))?.toolCalls).toBe(40);
    });

    it('ends a session, and keeps tenants apart', async () => {
      const sessions = ctx.storage().sessions;
      const [a, b] = [await tenant(), await tenant()];
      await sessions.start(a, {
        id: 'same',
        principal: ada,
        agent: null,
        cwd: null,
        at: at(1),
        dayStart: at(0),
      });
      await sessions.start(b, {
        id: 'same',
        principal: ada,
        agent: null,
        cwd: null,
        at: at(1),
        dayStart: at(0),
      });
      await sessions.addToolCall(a, 'same', ada, at(2));
      expect(await sessions.end(a, 'same', at(5))).toBe(true);
      expect((await sessions.get(a, 'same'))?.endedAt).toEqual(at(5));
      const untouched = await sessions.get(b, 'same');
      expect(untouched).toMatchObject({ endedAt: null, toolCalls: 0 });
      expect(await sessions.end(b, 'missing', at(5))).toBe(false);
      expect(await sessions.get(b, 'nope')).toBeUndefined();
    });
  });
}
