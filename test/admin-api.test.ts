// The admin API: every route, as every role of the example enterprise (plus a few bindings made for
// this test) and as another tenant's administrator. Nothing crosses a tenant (another tenant's routes
// answer 404); nothing exceeds a role (403); what a role grants works. Then the OpenAPI document, input
// errors that name their field, and changes recorded with before and after.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutesOf } from '../src/features/admin/install-admin-api.ts';
import { createLogger } from '../src/http/create-logger.ts';
import { resolveServerOptions } from '../src/http/server-options.ts';
import { type ServerHandle, startServer } from '../src/server.ts';
import { createStorage } from '../src/storage/create-storage.ts';
import { copyExampleConfig, tempDir } from './support/temp-dir.ts';

type Who = 'root' | 'bob' | 'dave' | 'ivan' | 'alice' | 'victor' | 'judy' | 'ci' | 'hank';

const PRINCIPALS: Record<Who, { tenant: string; type: 'user' | 'service_account'; id: string }> = {
  root: { tenant: 'acme', type: 'user', id: 'root@acme.test' }, // admin (platform-admins group), security-auditor
  bob: { tenant: 'acme', type: 'user', id: 'bob@acme.test' }, // team-lead of platform, key-admin there (below)
  dave: { tenant: 'acme', type: 'user', id: 'dave@acme.test' }, // finance for the tenant (below)
  ivan: { tenant: 'acme', type: 'user', id: 'ivan@acme.test' }, // security-auditor
  alice: { tenant: 'acme', type: 'user', id: 'alice@acme.test' }, // developer
  victor: { tenant: 'acme', type: 'user', id: 'victor@acme.test' }, // viewer
  judy: { tenant: 'acme', type: 'user', id: 'judy@acme.test' }, // team-lead of analytics, analyst
  ci: { tenant: 'acme', type: 'service_account', id: 'ci' }, // ci, bound at business_unit:engineering
  hank: { tenant: 'globex', type: 'user', id: 'hank@globex.test' }, // admin of the other tenant
};
const EVERYONE = Object.keys(PRINCIPALS) as Who[];

let server: ServerHandle;
let work: Awaited<ReturnType<typeof tempDir>>;
const keys = {} as Record<Who, string>;
let readOnlyRoot: string;
/** The .claude/ directory the server runs, as the bundles API takes it. */
const configFiles: Record<string, string> = {};

beforeAll(async () => {
  work = await tempDir('llm-rules-admin-');
  const config = await copyExampleConfig(work.path);
  // Roles the example leaves unbound: key administration for platform's lead, finance for dave.
  await writeFile(
    join(config, 'permissions.yaml'),
    `${await readFile(join(config, 'permissions.yaml'), 'utf8')}  key-admin: [keys:*]\n`,
  );
  const roles = await readFile(join(config, 'org/roles.yaml'), 'utf8');
  await writeFile(
    join(config, 'org/roles.yaml'),
    roles.replace(
      'role_bindings:\n',
      'role_bindings:\n  - role: key-admin\n    at: team:platform\n    subjects: [bob@acme.test]\n  - role: finance\n    at: tenant\n    subjects: [dave@acme.test]\n',
    ),
  );
  // A budget on one key and one on a group: key ids are in no org node, and a group's members may sit
  // in any team, so only tenant-wide grants reach either.
  const budgets = JSON.parse(await readFile(join(config, 'org/budgets.json'), 'utf8')) as {
    budgets: unknown[];
  };
  budgets.budgets.push({ id: 'laptop-key', scope: 'key:LaptopKey123', amount: 20 });
  budgets.budgets.push({ id: 'engineers-pool', scope: 'group:engineers', amount: 40 });
  await writeFile(join(config, 'org/budgets.json'), JSON.stringify(budgets));
  for (const entry of await readdir(config, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(config, join(entry.parentPath, entry.name));
    configFiles[path] = await readFile(join(config, path), 'utf8');
  }
  server = await startServer(
    resolveServerOptions([
      { name: 'test', values: { port: 0, configDir: config, applyConfigOnStart: 'always' } },
    ]),
    { storage: await createStorage({ memory: true }), logger: createLogger('silent'), env: {} },
  );
  for (const who of EVERYONE) {
    const p = PRINCIPALS[who];
    keys[who] = (
      await server.keys.create({
        tenantId: p.tenant,
        principal: { type: p.type, id: p.id },
        scopes: ['admin:write'],
      })
    ).plaintext;
  }
  readOnlyRoot = (
    await server.keys.create({
      tenantId: 'acme',
      principal: { type: 'user', id: 'root@acme.test' },
      scopes: ['admin:read'],
    })
  ).plaintext;
});

afterAll(async () => {
  await server?.close();
  await work?.remove();
});

function call(token: string, method: string, path: string, body?: unknown) {
  return fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

interface Case {
  method: string;
  /** The declared route (OpenAPI form), to prove every route is in the matrix. */
  route: string;
  path: string;
  body?: unknown;
  /** Who gets past authorization (any answer but 401, 403 and 404). */
  allowed: Who[];
}

const A = '/api/v1/tenants/acme';
const CASES: Case[] = [
  { method: 'GET', route: '/api/v1/tenants/{tenant}', path: A, allowed: ['root'] },
  { method: 'GET', route: '/api/v1/tenants/{tenant}/users', path: `${A}/users`, allowed: ['root'] },
  { method: 'GET', route: '/api/v1/tenants/{tenant}/groups', path: `${A}/groups`, allowed: ['root'] },
  { method: 'GET', route: '/api/v1/tenants/{tenant}/keys', path: `${A}/keys`, allowed: ['root', 'ivan'] },
  {
    method: 'POST',
    route: '/api/v1/tenants/{tenant}/keys',
    path: `${A}/keys`,
    body: { user: 'alice@acme.test', name: 'from the matrix' },
    allowed: ['bob'],
  },
  {
    method: 'DELETE',
    route: '/api/v1/tenants/{tenant}/keys/{id}',
    path: `${A}/keys/ERIN_KEY`,
    allowed: [],
  },
  // Filtered lists: anyone with budgets:read somewhere gets the part they may see.
  {
    method: 'GET',
    route: '/api/v1/tenants/{tenant}/budgets',
    path: `${A}/budgets`,
    allowed: ['bob', 'dave', 'judy'],
  },
  {
    method: 'GET',
    route: '/api/v1/tenants/{tenant}/budget-increases',
    path: `${A}/budget-increases`,
    allowed: ['bob', 'dave', 'judy'],
  },
  {
    method: 'POST',
    route: '/api/v1/tenants/{tenant}/budget-increases',
    path: `${A}/budget-increases`,
    body: { budget: 'platform-team', amount_usd: 100, reason: 'matrix' },
    allowed: ['bob', 'dave'],
  },
  {
    method: 'POST',
    route: '/api/v1/tenants/{tenant}/budget-increases/{id}/approve',
    path: `${A}/budget-increases/INCREASE/approve`,
    body: {},
    allowed: ['bob', 'dave'],
  },
  {
    method: 'POST',
    route: '/api/v1/tenants/{tenant}/budget-increases/{id}/deny',
    path: `${A}/budget-increases/INCREASE/deny`,
    body: {},
    allowed: ['bob', 'dave'],
  },
  { method: 'GET', route: '/api/v1/bundles', path: '/api/v1/bundles', allowed: ['root'] },
  { method: 'GET', route: '/api/v1/bundles/current', path: '/api/v1/bundles/current', allowed: ['root'] },
  {
    method: 'POST',
    route: '/api/v1/bundles/plan',
    path: '/api/v1/bundles/plan',
    body: { files: 'CONFIG_FILES' },
    allowed: ['root'],
  },
  {
    method: 'POST',
    route: '/api/v1/bundles/apply',
    path: '/api/v1/bundles/apply',
    // The content the server already runs: applying it changes nothing.
    body: { files: 'CONFIG_FILES' },
    allowed: ['root'],
  },
  { method: 'POST', route: '/api/v1/bundles/promote', path: '/api/v1/bundles/promote', allowed: ['root'] },
  { method: 'POST', route: '/api/v1/bundles/rollback', path: '/api/v1/bundles/rollback', allowed: ['root'] },
  {
    method: 'POST',
    route: '/api/v1/tenants/{tenant}/decisions/simulate',
    path: `${A}/decisions/simulate`,
    body: {
      user: 'alice@acme.test',
      tool_name: 'Read',
      tool_input: { file_path: '/repo/.env' },
      cwd: '/repo',
    },
    allowed: ['root', 'ivan'],
  },
  {
    method: 'GET',
    route: '/api/v1/tenants/{tenant}/audit',
    path: `${A}/audit?limit=5`,
    allowed: ['root', 'ivan'],
  },
  {
    method: 'GET',
    route: '/api/v1/tenants/{tenant}/audit/export',
    path: `${A}/audit/export?limit=5`,
    allowed: ['root', 'ivan'],
  },
  // Filtered: anyone with analytics:read somewhere gets the teams they may read (ci has none).
  {
    method: 'GET',
    route: '/api/v1/tenants/{tenant}/analytics/usage',
    path: `${A}/analytics/usage?group_by=team`,
    allowed: ['root', 'bob', 'dave', 'ivan', 'alice', 'victor', 'judy'],
  },
  {
    method: 'GET',
    route: '/api/v1/tenants/{tenant}/analytics/tools',
    path: `${A}/analytics/tools`,
    allowed: ['root', 'bob', 'dave', 'ivan', 'alice', 'victor', 'judy'],
  },
  {
    method: 'GET',
    route: '/api/v1/tenants/{tenant}/analytics/incidents',
    path: `${A}/analytics/incidents`,
    allowed: ['root', 'bob', 'dave', 'ivan', 'alice', 'victor', 'judy'],
  },
  {
    method: 'GET',
    route: '/api/v1/tenants/{tenant}/analytics/forecast',
    path: `${A}/analytics/forecast`,
    allowed: ['root', 'bob', 'dave', 'ivan', 'alice', 'victor', 'judy'],
  },
  {
    method: 'GET',
    route: '/api/v1/tenants/{tenant}/analytics/usage.csv',
    path: `${A}/analytics/usage.csv?group_by=team`,
    allowed: ['root', 'bob', 'dave', 'ivan', 'alice', 'victor', 'judy'],
  },
];

const L = '/v1/organizations/spend_limits';
/** Anthropic's Admin API shape: not under /api/v1, so not in the OpenAPI document, but the same rules. */
const SPEND_LIMIT_CASES: (Omit<Case, 'route'> & { hidden?: Who[] })[] = [
  { method: 'GET', path: L, allowed: ['bob', 'dave', 'judy'] },
  { method: 'GET', path: `${L}/effective`, allowed: ['bob', 'dave', 'judy'] },
  // judy may read budgets in analytics only: alice's limit is not there for her.
  { method: 'GET', path: `${L}/ALICE_LIMIT`, allowed: ['bob', 'dave'], hidden: ['judy'] },
  {
    method: 'POST',
    path: L,
    body: { scope: { type: 'user', user_id: 'alice@acme.test' }, amount: '5000' },
    allowed: ['bob', 'dave'],
    // Another tenant's user, or limit, is not there for globex's admin.
    hidden: ['hank'],
  },
  { method: 'DELETE', path: `${L}/ALICE_LIMIT`, allowed: ['bob', 'dave'], hidden: ['hank'] },
];

describe('admin API authorization matrix', () => {
  it('covers every declared route', () => {
    const declared = adminRoutesOf({} as never)
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    expect([...new Set(CASES.map((c) => `${c.method} ${c.route}`))].sort()).toEqual(declared);
  });

  it('lets each role do exactly what its permissions grant at the node, and no tenant reach another', async () => {
    // A key of erin's (payments) to revoke: nobody here holds keys:write over payments.
    const erinKey = (
      await server.keys.create({ tenantId: 'acme', principal: { type: 'user', id: 'erin@acme.test' } })
    ).record.id;
    // A pending increase to approve or deny, requested by alice's lead so that dave and bob are not its requester.
    const requested = await call(keys.bob, 'POST', `${A}/budget-increases`, {
      budget: 'platform-team',
      amount_usd: 50,
      reason: 'release week',
    });
    expect(requested.status).toBe(201);
    const increase = ((await requested.json()) as { id: string }).id;
    const failures: string[] = [];
    for (const c of CASES) {
      for (const who of EVERYONE) {
        const path = c.path.replace('ERIN_KEY', erinKey).replace('INCREASE', increase);
        const body =
          (c.body as { files?: unknown } | undefined)?.files === 'CONFIG_FILES'
            ? { files: configFiles }
            : c.body;
        const answer = await call(keys[who], c.method, path, body);
        await answer.arrayBuffer();
        const expected =
          who === 'hank' ? (c.path.startsWith(A) ? 404 : 403) : c.allowed.includes(who) ? 'passes' : 403;
        const got = [401, 403, 404].includes(answer.status) ? answer.status : 'passes';
        if (got !== expected)
          failures.push(`${who} ${c.method} ${path}: expected ${expected}, got ${answer.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('holds the spend-limits API to the same rules: roles at the node, never another tenant', async () => {
    const failures: string[] = [];
    for (const c of SPEND_LIMIT_CASES) {
      for (const who of EVERYONE) {
        // A limit of alice's to read or delete, made afresh by dave (finance, tenant-wide) each time.
        const made = await call(keys.dave, 'POST', L, {
          scope: { type: 'user', user_id: 'alice@acme.test' },
          amount: '2500',
        });
        const { id } = (await made.json()) as { id: string };
        const path = c.path.replace('ALICE_LIMIT', id);
        const answer = await call(keys[who], c.method, path, c.body);
        await answer.arrayBuffer();
        const expected = c.allowed.includes(who) ? 'passes' : c.hidden?.includes(who) ? 404 : 403;
        const got = [401, 403, 404].includes(answer.status) ? answer.status : 'passes';
        if (got !== expected)
          failures.push(`${who} ${c.method} ${path}: expected ${expected}, got ${answer.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses changes to a key with admin:read only, and keys with no admin scope at all', async () => {
    expect((await call(readOnlyRoot, 'GET', `${A}/users`)).status).toBe(200);
    const change = await call(readOnlyRoot, 'POST', '/api/v1/bundles/rollback');
    expect(change.status).toBe(403);
    expect(await change.json()).toMatchObject({ error: { message: expect.stringContaining('admin:write') } });
    const plain = (
      await server.keys.create({ tenantId: 'acme', principal: { type: 'user', id: 'root@acme.test' } })
    ).plaintext;
    expect((await call(plain, 'GET', `${A}/users`)).status).toBe(403);
    expect((await fetch(`${server.url}${A}/users`)).status).toBe(401);
  });
});

describe('admin API behaviour', () => {
  it('serves an OpenAPI document generated from the route schemas', async () => {
    const document = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { 'x-permission': string; requestBody?: unknown; parameters: { name: string }[] }>
      >;
    };
    expect(document.openapi).toBe('3.1.0');
    for (const c of CASES) expect(document.paths[c.route]?.[c.method.toLowerCase()]).toBeDefined();
    const create = document.paths['/api/v1/tenants/{tenant}/keys']!.post!;
    expect(create['x-permission']).toBe('keys:write');
    expect(JSON.stringify(create.requestBody)).toContain('expires_in_days');
    expect(create.parameters.map((p) => p.name)).toEqual(['tenant']);
  });

  it('names the field of bad input', async () => {
    const answer = await call(keys.bob, 'POST', `${A}/budget-increases`, {
      budget: 'platform-team',
      amount_usd: -5,
      reason: 'x',
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({
      error: { type: 'invalid_request_error', details: { field: 'body.amount_usd' } },
    });
  });

  it('records each change as an admin_action with what it was before and after', async () => {
    const made = await call(keys.bob, 'POST', `${A}/keys`, { user: 'alice@acme.test', name: 'ci laptop' });
    expect(made.status).toBe(201);
    const { record } = (await made.json()) as { record: { id: string } };
    const revoked = await call(keys.bob, 'DELETE', `${A}/keys/${record.id}`);
    expect(revoked.status).toBe(200);
    await server.audit.flush();
    const actions = (await server.storage.audit.list('acme', { event: 'admin_action' })).filter(
      (r) => r.context.target === `key:${record.id}`,
    );
    expect(actions.map((a) => [a.user, a.context.action])).toEqual([
      ['bob@acme.test', 'key_created'],
      ['bob@acme.test', 'key_revoked'],
    ]);
    expect(actions[1]!.context).toMatchObject({
      before: { revoked_at: null },
      after: { revoked_at: expect.any(String) },
    });
  });

  it('answers with the part of a list the caller may see', async () => {
    const seen = (await (await call(keys.bob, 'GET', `${A}/budgets`)).json()) as { id: string }[];
    expect(seen.map((b) => b.id).sort()).toEqual(['alice', 'platform-team']);
    const all = (await (await call(keys.dave, 'GET', `${A}/budgets`)).json()) as {
      id: string;
      scope: string;
      spent_usd: number | null;
    }[];
    expect(all.length).toBe(9);
    expect(all.find((b) => b.id === 'laptop-key')).toMatchObject({ scope: 'key:LaptopKey123', spent_usd: 0 });
    expect(all.find((b) => b.id === 'engineers-pool')).toMatchObject({
      scope: 'group:engineers',
      spent_usd: 0,
    });
  });

  it('simulates a decision for a developer', async () => {
    const answer = await call(keys.ivan, 'POST', `${A}/decisions/simulate`, {
      user: 'alice@acme.test',
      tool_name: 'Read',
      tool_input: { file_path: '/repo/.env' },
      cwd: '/repo',
    });
    expect(await answer.json()).toMatchObject({ active: { outcome: 'deny' }, candidate: null });
  });

  it('plans and applies a .claude/ directory sent as files: shadow candidate, then dropped', async () => {
    const changed = {
      ...configFiles,
      'config.yaml': configFiles['config.yaml']!.replace(
        /max_sessions_per_day: \d+/,
        'max_sessions_per_day: 7',
      ),
    };
    expect(changed['config.yaml']).toContain('max_sessions_per_day: 7');
    const plan = (await (
      await call(keys.root, 'POST', '/api/v1/bundles/plan', { files: changed })
    ).json()) as {
      changed: number;
      changes: { kind: string; fields: { path: string; after: unknown }[] }[];
    };
    expect(plan.changed).toBeGreaterThan(0);
    expect(plan.changes.flatMap((c) => c.fields)).toContainEqual(
      expect.objectContaining({ path: expect.stringContaining('max_sessions_per_day'), after: 7 }),
    );
    const tried = await call(keys.root, 'POST', '/api/v1/bundles/apply', { files: changed, mode: 'shadow' });
    expect(tried.status).toBe(201);
    const shadow = (await tried.json()) as {
      candidate: { mode: string; revision: string };
      revision: string;
    };
    expect(shadow.candidate).toMatchObject({ mode: 'shadow', revision: shadow.revision });
    const canary = await call(keys.root, 'POST', '/api/v1/bundles/apply', { files: changed, mode: 'canary' });
    expect(canary.status).toBe(400);
    expect(await canary.json()).toMatchObject({ error: { details: { field: 'body.percent' } } });
    expect((await call(keys.root, 'POST', '/api/v1/bundles/rollback')).status).toBe(200);
    const current = (await (await call(keys.root, 'GET', '/api/v1/bundles/current')).json()) as {
      candidate: unknown;
    };
    expect(current.candidate).toBeNull();
    await server.audit.flush();
    const actions = (await server.storage.audit.list('acme', { event: 'admin_action' })).map(
      (r) => r.context.action,
    );
    expect(actions).toContain('bundle_apply_shadow');
  });

  it('refuses an uploaded config with errors (named by file, line and field) and paths outside .claude/', async () => {
    const broken = await call(keys.root, 'POST', '/api/v1/bundles/plan', {
      files: { ...configFiles, 'config.yaml': 'limits:\n  max_file_size: 10MB\n' },
    });
    expect(broken.status).toBe(422);
    const body = (await broken.json()) as {
      error: { message: string; details: { problems: { file: string; line: number; path: string }[] } };
    };
    expect(body.error.details.problems).toContainEqual(
      expect.objectContaining({ file: 'config.yaml', line: 2, path: 'limits.max_file_size' }),
    );
    expect(JSON.stringify(body)).not.toMatch(/llm-rules-upload-/);
    for (const path of ['../outside.yaml', '/etc/passwd.yaml', 'org/../../x.yaml', 'script.sh']) {
      const answer = await call(keys.root, 'POST', '/api/v1/bundles/plan', { files: { [path]: 'x: 1' } });
      expect(answer.status).toBe(400);
    }
    // The same content as the active bundle is not a candidate.
    const same = await call(keys.root, 'POST', '/api/v1/bundles/apply', {
      files: configFiles,
      mode: 'shadow',
    });
    expect(same.status).toBe(400);
    expect(JSON.stringify(await same.json())).not.toMatch(/llm-rules-upload-/);
  });
});
