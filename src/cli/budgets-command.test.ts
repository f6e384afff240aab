import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyConfig } from '../../test/support/apply-config.ts';
import { fakeIo } from '../../test/support/fake-io.ts';
import { signInSession } from '../../test/support/sign-in-session.ts';
import { copyExampleConfig, tempDir } from '../../test/support/temp-dir.ts';
import { createStorage } from '../storage/create-storage.ts';
import { budgetsCommand } from './budgets-command.ts';

describe('llm-rules budgets (SQLite)', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let data: string;
  let configDir: string;

  const apply = () => applyConfig(data, configDir);

  beforeEach(async () => {
    work = await tempDir();
    data = join(work.path, 'data');
    configDir = await copyExampleConfig(work.path);
    await apply();
  });
  afterEach(async () => {
    await work.remove();
  });

  const as = (actor: string) => fakeIo({ env: { LLM_RULES_ACTOR: actor } });
  const run = (actor: string, ...args: string[]) => {
    const io = as(actor);
    return budgetsCommand([...args, '--data', data], io).then((code) => ({ code, io }));
  };

  const engineerSeats = {
    id: 'engineer-seats',
    scope: 'group:engineers',
    mode: 'per_seat',
    amount: 100,
    approval_required_above: 80,
  };
  const useBudgets = async (...budgets: object[]) => {
    await writeFile(join(configDir, 'org/budgets.json'), JSON.stringify({ budgets }));
    await apply();
  };
  const request = (...args: string[]) => run('bob@acme.test', 'request', ...args, '--reason', 'r');

  it('requests, approves and lists an increase on a pooled budget, audited, approved by someone else', async () => {
    // platform-team: $5,000 a month, soft cap $4,000 (examples/acme/.claude/org/budgets.json).
    const asked = await run(
      'ada@acme.test',
      'request',
      'platform-team',
      '--amount',
      '250',
      '--reason',
      'launch week',
    );
    expect(asked.code).toBe(0);
    const id = asked.io.out[0]!;
    expect(id).toMatch(/^inc_[0-9a-f]{12}$/);
    expect(asked.io.err.join('\n')).toContain(`llm-rules budgets approve ${id}`);

    await expect(run('ada@acme.test', 'approve', id)).rejects.toThrow(
      `ada@acme.test requested ${id} and so cannot approve it`,
    );
    const approved = await run('grace@acme.test', 'approve', id, '--expires', '3d', '--note', 'ok');
    expect(approved.io.out[0]).toMatch(
      new RegExp(`^✓ Approved ${id}: \\$250\\.00 more on platform-team until `),
    );
    await expect(run('grace@acme.test', 'deny', id)).rejects.toThrow(
      `${id} was already approved by grace@acme.test`,
    );

    const listed = await run('x', 'list', '--json');
    const rows = JSON.parse(listed.io.out[0]!) as Array<Record<string, unknown>>;
    expect(rows).toMatchObject([
      {
        id,
        tenantId: 'acme',
        budgetId: 'platform-team',
        counterKey: 'platform-team',
        amountMicro: 250_000_000,
        status: 'approved',
        requestedBy: 'ada@acme.test',
        decidedBy: 'grace@acme.test',
        note: 'ok',
      },
    ]);
    const days = (Date.parse(rows[0]!.expiresAt as string) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(0);
    expect(days).toBeLessThanOrEqual(3);
    expect((await run('x', 'list', '--status', 'pending')).io.out[0]).toBe('No budget increases.');

    const storage = await createStorage({ dataDir: data });
    try {
      const events = await storage.audit.list('acme', { event: 'budget' });
      expect(
        events.map((e) => [e.user, e.context.action, e.context.increase_id, e.context.amount_micro]),
      ).toEqual([
        ['ada@acme.test', 'increase_requested', id, 250_000_000],
        ['grace@acme.test', 'increase_approved', id, 250_000_000],
      ]);
      expect(await storage.budgetIncreases.approved('acme', new Date())).toMatchObject([
        { counterKey: 'platform-team', amountMicro: 250_000_000 },
      ]);
    } finally {
      await storage.close();
    }
  });

  it('raises one seat of a per-seat budget, for a user the seat applies to', async () => {
    const seats = {
      id: 'seats',
      scope: 'tenant',
      mode: 'per_seat',
      amount: 100,
      approval_required_above: 80,
    };
    const own = { id: 'alice', scope: 'user:alice@acme.test', amount: 300 };
    await writeFile(join(configDir, 'org/budgets.json'), JSON.stringify({ budgets: [seats, own] }));
    await apply();
    const asked = await run(
      'bob@acme.test',
      'request',
      'seats',
      '--user',
      'Bob@acme.test',
      '--amount',
      '20',
      '--reason',
      'r',
    );
    expect(asked.io.err[0]).toContain('more on seats/seat:bob@acme.test');
    await expect(run('bob', 'request', 'seats', '--amount', '5', '--reason', 'r')).rejects.toMatchObject({
      message: 'budget "seats" is per seat: say whose seat with --user EMAIL.',
      details: { field: 'user' },
    });
    // Alice's own budget replaces her seat, so raising the seat would change nothing.
    await expect(
      run('bob', 'request', 'seats', '--user', 'alice@acme.test', '--amount', '5', '--reason', 'r'),
    ).rejects.toThrow('budget "seats" does not apply to alice@acme.test');
    await expect(
      run('bob', 'request', 'seats', '--user', 'nobody@acme.test', '--amount', '5', '--reason', 'r'),
    ).rejects.toThrow("user 'nobody@acme.test' was not found in tenant acme.");
  });

  it('raises a group seat for a member only (with --user), and a group pool without one', async () => {
    const pool = {
      id: 'engineers-pool',
      scope: 'group:engineers',
      amount: 1000,
      approval_required_above: 800,
    };
    await useBudgets(engineerSeats, pool);
    // carol is in engineers (examples/acme/.claude/org/hierarchy.yaml); judy is in data-team.
    const asked = await request('engineer-seats', '--user', 'carol@acme.test', '--amount', '10');
    expect(asked.io.err[0]).toContain('more on engineer-seats/seat:carol@acme.test');
    await expect(request('engineer-seats', '--amount', '10')).rejects.toThrow(
      'budget "engineer-seats" is per seat: say whose seat with --user EMAIL.',
    );
    await expect(request('engineer-seats', '--user', 'judy@acme.test', '--amount', '10')).rejects.toThrow(
      'budget "engineer-seats" does not apply to judy@acme.test: they are outside its scope (not in group "engineers")',
    );
    const pooled = await request('engineers-pool', '--amount', '50');
    expect(pooled.io.err[0]).toContain('more on engineers-pool (tenant acme)');
    await expect(request('engineers-pool', '--user', 'carol@acme.test', '--amount', '5')).rejects.toThrow(
      'budget "engineers-pool" is pooled: an increase raises it for its whole group; leave out --user.',
    );
  });

  it('raises a group seat for a user in the group through an IdP group of an active sign-in only', async () => {
    await useBudgets(engineerSeats);
    // judy and mallory are in data-team; acme-engineering is the IdP group of engineers (org/roles.yaml).
    const storage = await createStorage({ dataDir: data });
    try {
      await storage.signIn.createSession(signInSession('acme', 'judy@acme.test', ['acme-engineering']));
      const revoked = signInSession('acme', 'mallory@acme.test', ['acme-engineering']);
      await storage.signIn.createSession(revoked);
      await storage.signIn.revokeSession('acme', revoked.id, new Date());
    } finally {
      await storage.close();
    }
    const asked = await request('engineer-seats', '--user', 'judy@acme.test', '--amount', '10');
    expect(asked.io.err[0]).toContain('more on engineer-seats/seat:judy@acme.test');
    await expect(request('engineer-seats', '--user', 'mallory@acme.test', '--amount', '10')).rejects.toThrow(
      'budget "engineer-seats" does not apply to mallory@acme.test: they are outside its scope (not in group "engineers")',
    );
  });

  it('lets the requester withdraw (deny) their own request', async () => {
    const asked = await run(
      'ada@acme.test',
      'request',
      'ml-team',
      '--amount',
      '$100',
      '--reason',
      'training run',
    );
    const denied = await run('ada@acme.test', 'deny', asked.io.out[0]!, '--note', 'not needed');
    expect(denied.io.out[0]).toBe(`✓ Denied ${asked.io.out[0]} ($100.00 on ml-team).`);
  });

  it('names the field of every mistake and stores nothing', async () => {
    await expect(run('ada', 'request', 'platform-team', '--amount', '10')).rejects.toThrow('needs --reason');
    await expect(
      run('ada', 'request', 'platform-team', '--amount', 'ten', '--reason', 'r'),
    ).rejects.toMatchObject({
      details: { field: 'amount' },
    });
    await expect(
      run('ada', 'request', 'platform-team', '--amount', '1001', '--reason', 'r'),
    ).rejects.toMatchObject({
      message: expect.stringContaining('--amount must be at most $1000.00'),
      details: { field: 'amount' },
    });
    await expect(run('ada', 'request', 'acme-total', '--amount', '5', '--reason', 'r')).rejects.toMatchObject(
      {
        message: expect.stringContaining('has no soft cap (approval_required_above)'),
        details: { field: 'budget' },
      },
    );
    await expect(
      run('ada', 'request', 'platform-team', '--amount', '5', '--reason', 'r', '--user', 'alice@acme.test'),
    ).rejects.toMatchObject({ details: { field: 'user' } });
    await expect(run('ada', 'request', 'nope', '--amount', '5', '--reason', 'r')).rejects.toThrow(
      "budget 'nope' was not found in the active policy.",
    );
    await expect(run('ada', 'approve', 'bogus')).rejects.toMatchObject({ details: { field: 'id' } });
    await expect(run('ada', 'approve', 'inc_000000000000')).rejects.toThrow(
      "increase 'inc_000000000000' was not found.",
    );
    await expect(run('ada', 'list', '--status', 'maybe')).rejects.toMatchObject({
      details: { field: 'status' },
    });
    expect((await run('ada', 'list')).io.out[0]).toBe('No budget increases.');
  });
});
