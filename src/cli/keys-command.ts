// `llm-rules keys create|list|rotate|revoke`: API keys for users and service accounts.
// The plaintext is printed once, on stdout only, and never logged.
import { displayKeyId, KEY_ID_LENGTH, parseApiKey } from '../core/credentials/api-key-format.ts';
import { parseDuration } from '../core/credentials/duration.ts';
import { NotFoundError, ValidationError } from '../core/errors/app-error.ts';
import { AuditLog } from '../features/audit/audit-log.ts';
import { tenantConfig } from '../features/bundles/tenant-config.ts';
import { describePrincipal, findPrincipal } from '../features/keys/find-principal.ts';
import { KEY_SCOPES, type KeyScope, KeysService } from '../features/keys/keys-service.ts';
import type { ApiKeyRecord, PrincipalRef, Storage } from '../storage/ports.ts';
import type { CliIo } from './cli-io.ts';
import { actorFromEnv } from './environment.ts';
import { withStorage } from './open-storage.ts';
import { parseFlags, stringFlag, UsageError } from './parse-flags.ts';

const USAGE = `llm-rules keys create (--user EMAIL | --service ID) [--tenant T] [--name NAME] [--expires 90d] [--scope admin:read|admin:write]
       llm-rules keys list [--tenant T] [--user EMAIL | --service ID]
       llm-rules keys rotate ID [--grace 24h]
       llm-rules keys revoke ID
  (all take --data DIR; DATABASE_URL selects PostgreSQL)`;

const FLAGS = {
  data: { type: 'string' },
  tenant: { type: 'string' },
  user: { type: 'string' },
  service: { type: 'string' },
  name: { type: 'string' },
  expires: { type: 'string' },
  grace: { type: 'string' },
  scope: { type: 'string', multiple: true },
  json: { type: 'boolean' },
} as const;

const ACTIONS = ['create', 'list', 'rotate', 'revoke'];

export async function keysCommand(args: string[], io: CliIo): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseFlags(rest, FLAGS, USAGE);
  const flag = (name: keyof typeof FLAGS) => stringFlag(values, name);
  // Everything that can be checked without the store is checked before it is opened.
  if (!ACTIONS.includes(action ?? ''))
    throw new UsageError(`unknown keys action '${action ?? ''}'\n\nusage: ${USAGE}`);
  const principal = principalFrom(flag('user'), flag('service'));
  if (action === 'create' && !principal) {
    throw new UsageError(`keys create needs --user EMAIL or --service ID\n\nusage: ${USAGE}`);
  }
  const expires = flag('expires');
  const ttlMs = expires ? parseDuration(expires, '--expires') : undefined;
  const graceText = flag('grace') ?? '24h';
  const graceMs = parseDuration(graceText, '--grace');
  if ((action === 'rotate' || action === 'revoke') && !positionals[0]) {
    throw new UsageError(`a key id is required (see \`llm-rules keys list\`)\n\nusage: ${USAGE}`);
  }
  const scopes = scopesFrom(values.scope);
  const by = actorFromEnv(io.env);
  return withStorage(io, flag('data'), async (storage) => {
    // Key changes are `auth` audit events; closing the log waits until they are committed.
    const audit = new AuditLog(storage.audit);
    try {
      return await run(new KeysService(storage, undefined, undefined, { audit }), storage);
    } finally {
      await audit.close();
    }
  });

  async function run(keys: KeysService, storage: Storage): Promise<number> {
    switch (action) {
      case 'create': {
        const tenantId = flag('tenant') ?? (await findTenantOf(storage, principal!));
        const policy = await keyPolicyOf(storage, tenantId);
        const lifetime = ttlMs ?? policy.defaultTtlMs;
        const issued = await keys.create({
          tenantId,
          principal: principal!,
          ...(flag('name') ? { name: flag('name') } : {}),
          ...(lifetime !== undefined ? { ttlMs: lifetime } : {}),
          scopes,
          by,
        });
        io.stdout(issued.plaintext);
        io.stderr(describeIssued(issued.record, 'Created'));
        return 0;
      }
      case 'list': {
        const tenants = flag('tenant')
          ? [flag('tenant')!]
          : (await storage.org.listTenants()).map((t) => t.id);
        const rows = (await Promise.all(tenants.map((t) => keys.list(t, principal)))).flat();
        if (values.json)
          io.stdout(
            JSON.stringify(
              rows.map(({ digest: _digest, ...rest }) => rest),
              null,
              2,
            ),
          );
        else io.stdout(formatKeyTable(rows, new Date()));
        return 0;
      }
      case 'rotate': {
        const record = await findKey(storage, positionals[0], flag('tenant'));
        const issued = await keys.rotate(record.tenantId, record.id, graceMs, by);
        io.stdout(issued.plaintext);
        io.stderr(
          `${describeIssued(issued.record, 'Rotated')}\nThe old key ${displayKeyId(record.id)} keeps working for ${graceText}.`,
        );
        return 0;
      }
      case 'revoke': {
        const record = await findKey(storage, positionals[0], flag('tenant'));
        await keys.revoke(record.tenantId, record.id, by);
        io.stdout(
          `✓ Revoked ${displayKeyId(record.id)} (${record.principal.type} ${record.principal.id}, tenant ${record.tenantId}).`,
        );
        return 0;
      }
      default:
        return 2; // unreachable: the action was checked above
    }
  }
}

function scopesFrom(given: unknown): KeyScope[] {
  const list = Array.isArray(given) ? given.map(String) : typeof given === 'string' ? [given] : [];
  for (const scope of list) {
    if (!(KEY_SCOPES as readonly string[]).includes(scope)) {
      throw new ValidationError(`--scope ${scope}: a key's scope is one of ${KEY_SCOPES.join(', ')}.`, {
        field: 'scope',
      });
    }
  }
  return list as KeyScope[];
}

function principalFrom(user: string | undefined, service: string | undefined): PrincipalRef | undefined {
  if (user && service)
    throw new ValidationError('Give either --user or --service, not both.', { field: 'user' });
  if (user) return { type: 'user', id: user.toLowerCase() };
  if (service) return { type: 'service_account', id: service };
  return undefined;
}

/**
 * `security.api_keys` of the tenant in the active bundle: keys may be disabled there, and
 * `rotation_days` is the lifetime of a key created without `--expires`.
 */
async function keyPolicyOf(storage: Storage, tenantId: string): Promise<{ defaultTtlMs?: number }> {
  const revision = await storage.bundles.activeRevision();
  const bundle = revision ? await storage.bundles.get(revision) : undefined;
  const settings = bundle ? tenantConfig(bundle.content, tenantId)?.security.api_keys : undefined;
  if (!settings) return {};
  if (!settings.enabled) {
    throw new ValidationError(
      `API keys are disabled for tenant '${tenantId}' (security.api_keys.enabled: false).`,
      {
        field: 'security.api_keys.enabled',
      },
    );
  }
  return settings.rotation_days > 0 ? { defaultTtlMs: settings.rotation_days * 86_400_000 } : {};
}

/** Without --tenant, the principal must exist in exactly one tenant. */
async function findTenantOf(storage: Storage, principal: PrincipalRef): Promise<string> {
  const found: string[] = [];
  for (const tenant of await storage.org.listTenants()) {
    if (await findPrincipal(storage, tenant.id, principal)) found.push(tenant.id);
  }
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    throw new NotFoundError(
      describePrincipal(principal),
      principal.id,
      'any tenant (apply a config that declares it first)',
    );
  }
  throw new ValidationError(
    `${principal.id} exists in tenants ${found.join(', ')}; choose one with --tenant.`,
    {
      field: 'tenant',
    },
  );
}

async function findKey(
  storage: Storage,
  id: string | undefined,
  tenant: string | undefined,
): Promise<ApiKeyRecord> {
  if (!id) throw new UsageError(`a key id is required (see \`llm-rules keys list\`)\n\nusage: ${USAGE}`);
  // Accept the id as listed, the displayed `llmr_<id>...` (the cut drops the ellipsis), or a whole key
  // (never echoed back).
  const keyId = parseApiKey(id)?.id ?? id.replace(/^llmr_/, '').slice(0, KEY_ID_LENGTH);
  const record = tenant
    ? await storage.apiKeys.get(tenant, keyId)
    : await storage.apiKeys.findForAuthentication(keyId);
  if (!record) throw new NotFoundError('key', keyId);
  return record;
}

function describeIssued(record: ApiKeyRecord, verb: string): string {
  const expiry = record.expiresAt ? `expires ${record.expiresAt.toISOString()}` : 'never expires';
  return `${verb} key ${displayKeyId(record.id)} for ${record.principal.type} ${record.principal.id} in tenant ${record.tenantId}; ${expiry}.\nThe key above is shown only once: store it now.`;
}

function formatKeyTable(rows: ApiKeyRecord[], now: Date): string {
  if (rows.length === 0) return 'No keys.';
  const header =
    'ID            TENANT        PRINCIPAL                      STATUS     EXPIRES                   LAST USED                 SCOPES';
  const lines = rows.map((k) =>
    [
      k.id.padEnd(13),
      k.tenantId.padEnd(13),
      `${k.principal.type === 'user' ? '' : 'service:'}${k.principal.id}`.padEnd(30),
      keyStatus(k, now).padEnd(10),
      (k.expiresAt?.toISOString() ?? 'never').padEnd(25),
      (k.lastUsedAt?.toISOString() ?? 'never').padEnd(25),
      k.scopes.join(',') || '-',
    ].join(' '),
  );
  return [header, ...lines].join('\n');
}

function keyStatus(key: ApiKeyRecord, now: Date): string {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt <= now) return 'expired';
  if (key.graceUntil) return key.graceUntil > now ? 'rotating' : 'rotated';
  return 'active';
}
