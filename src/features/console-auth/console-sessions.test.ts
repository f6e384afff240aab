import { beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../core/clock/clock.ts';
import { orgSnapshot } from '../../storage/contract/contract-fixtures.ts';
import { createStorage } from '../../storage/create-storage.ts';
import type { Storage } from '../../storage/ports.ts';
import { MasterKey } from '../sign-in/master-key.ts';
import { ConsoleSessions } from './console-sessions.ts';

const MINUTE = 60_000;
const ADA = { tenantId: 't1', userId: 'ada@example.com', email: 'Ada@Example.com', idpGroups: ['okta-eng'] };

describe('console sessions', () => {
  let storage: Storage;
  let clock: ReturnType<typeof manualClock>;
  let sessions: ConsoleSessions;

  beforeEach(async () => {
    storage = await createStorage({ memory: true });
    await storage.migrate();
    clock = manualClock();
    await storage.org.sync('t1', orgSnapshot('t1'), clock.now());
    sessions = new ConsoleSessions({
      store: storage.signIn,
      org: storage.org,
      master: MasterKey.random(),
      clock,
      lifetimes: () => ({ maxAgeMs: 8 * 60 * MINUTE, idleMs: 30 * MINUTE }),
    });
  });

  it('finds a session by its token only; the store keeps a digest, never the token', async () => {
    const { token, session } = await sessions.create({ ...ADA, method: 'oidc' });
    expect(session.member?.groups).toEqual(['eng']);
    expect(await sessions.resolve(token)).toMatchObject({ id: session.id, userId: 'ada@example.com' });
    expect(await sessions.resolve(`${token}x`)).toBeUndefined();
    expect(await sessions.resolve(undefined)).toBeUndefined();
    const stored = await storage.signIn.getSession('t1', session.id);
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it('ends after the idle timeout, and activity keeps it going until its maximum age', async () => {
    const { token } = await sessions.create({ ...ADA, method: 'oidc' });
    for (let i = 0; i < 15; i++) {
      clock.advance(25 * MINUTE);
      expect(await sessions.resolve(token)).toBeDefined();
    }
    // 15 × 25 min = 6 h 15 min of activity; the eight-hour maximum still ends it.
    clock.advance(25 * MINUTE * 3);
    expect(await sessions.resolve(token)).toBeUndefined();
    const idle = await sessions.create({ ...ADA, method: 'oidc' });
    clock.advance(31 * MINUTE);
    expect(await sessions.resolve(idle.token)).toBeUndefined();
    // Ended for good: coming back within the idle window of a later request does not revive it.
    expect(await sessions.resolve(idle.token)).toBeUndefined();
  });

  it('ends when the member is deprovisioned, and at logout', async () => {
    const { token, session } = await sessions.create({ ...ADA, method: 'oidc' });
    expect(await sessions.end(session)).toBe(true);
    expect(await sessions.resolve(token)).toBeUndefined();
    const again = await sessions.create({ ...ADA, method: 'oidc' });
    await storage.org.sync('t1', orgSnapshot('t1', { users: [] }), clock.now());
    expect(await sessions.resolve(again.token)).toBeUndefined();
  });

  it('gives each session its own CSRF token', async () => {
    const a = await sessions.create({ ...ADA, method: 'oidc' });
    const b = await sessions.create({ ...ADA, method: 'oidc' });
    expect(a.session.csrfToken).not.toBe(b.session.csrfToken);
    expect(sessions.csrfFor(a.session.id)).toBe(a.session.csrfToken);
  });

  it('keeps a break-glass session to an hour, and it needs no org membership', async () => {
    const { token, session } = await sessions.create({
      tenantId: 't1',
      userId: 'break-glass',
      email: 'break-glass',
      idpGroups: [],
      method: 'break-glass',
    });
    expect(session.member).toBeUndefined();
    expect(session.expiresAt.getTime() - session.createdAt.getTime()).toBe(60 * MINUTE);
    clock.advance(29 * MINUTE);
    expect(await sessions.resolve(token)).toBeDefined();
    clock.advance(29 * MINUTE);
    expect(await sessions.resolve(token)).toBeDefined();
    clock.advance(3 * MINUTE);
    expect(await sessions.resolve(token)).toBeUndefined();
  });
});
