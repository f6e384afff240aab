// Builders and helpers for the storage contract suite; every test uses fresh ids so adapters can share one database.

import { randomBytes } from 'node:crypto';
import type { PolicyConfig } from '../../config/policy-config.ts';
import type { ApiKeyRecord, BundleRecord, OrgSnapshot, Storage, TenantId } from '../ports.ts';
import type { StoredTelemetryEvent } from '../telemetry-port.ts';

export interface ContractContext {
  /** The instance opened and migrated for this suite. */
  storage(): Storage;
  /** Opens another instance over the same database (for SQL adapters), closed by the suite. */
  another(): Promise<Storage>;
}

export function uid(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** Millisecond-precise, far from "now", so a value the adapter invented would not match by accident. */
export const T0 = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678));
export const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);

export function orgSnapshot(
  tenantId: TenantId,
  overrides: Partial<Omit<OrgSnapshot, 'tenant'>> = {},
): OrgSnapshot {
  return {
    tenant: { id: tenantId, name: `Tenant ${tenantId}` },
    businessUnits: [
      { id: 'bu-eng', name: 'Engineering' },
      { id: 'bu-ops', name: 'Operations' },
    ],
    teams: [
      { id: 'team-api', businessUnitId: 'bu-eng', name: 'API' },
      { id: 'team-sre', businessUnitId: 'bu-ops', name: 'SRE' },
    ],
    users: [
      {
        id: 'ada@example.com',
        email: 'Ada@Example.com',
        name: 'Ada',
        teamId: 'team-api',
        businessUnitId: 'bu-eng',
        roles: ['developer'],
        groups: ['eng'],
      },
      {
        id: 'bob@example.com',
        email: 'bob@example.com',
        name: null,
        teamId: null,
        businessUnitId: null,
        roles: [],
        groups: [],
      },
    ],
    groups: [{ id: 'eng', name: 'Engineers', idpGroup: 'okta-eng', roles: ['developer', 'reviewer'] }],
    serviceAccounts: [{ id: 'ci-bot', name: 'CI', teamId: 'team-api', roles: ['ci'] }],
    ...overrides,
  };
}

export function apiKey(tenantId: TenantId, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    tenantId,
    id: uid('key'),
    principal: { type: 'user', id: 'ada@example.com' },
    name: 'laptop',
    digest: randomBytes(32).toString('hex'),
    createdAt: at(0),
    expiresAt: at(86_400_000),
    lastUsedAt: null,
    revokedAt: null,
    replacedBy: null,
    graceUntil: null,
    scopes: [],
    ...overrides,
  };
}

/** A small object standing in for a real PolicyConfig: the store only has to round-trip JSON. */
export function bundle(overrides: Partial<BundleRecord> = {}): BundleRecord {
  const content = {
    format_version: 1,
    marker: uid('content'),
    nested: { list: [1, 2.5, -3], flag: true, nothing: null, text: 'Grüße ✓ "quoted"\n' },
    rules: [{ id: 'no-secrets', body: '# Never commit secrets' }],
  } as unknown as PolicyConfig;
  return {
    revision: randomBytes(32).toString('hex'),
    content,
    createdAt: at(0),
    createdBy: 'alice',
    ...overrides,
  };
}

/** Resolves with the elapsed milliseconds once `check` holds; rejects after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - start;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A stored telemetry event (an api_request unless overridden), for the telemetry contract and adapter tests. */
export function telemetryEvent(overrides: Partial<StoredTelemetryEvent> = {}): StoredTelemetryEvent {
  return {
    at: at(1),
    name: 'api_request',
    userId: 'ada@example.com',
    businessUnitId: 'bu-eng',
    teamId: 'team-a',
    sessionId: 's1',
    promptId: 'p1',
    model: 'claude-sonnet-5',
    tool: null,
    decision: null,
    success: true,
    inputTokens: 100,
    outputTokens: 7,
    cacheReadTokens: 0,
    cacheCreationTokens: 0,
    costMicro: 3_000_000_000_001,
    durationMs: 34,
    value: null,
    gatewayMetered: false,
    attributes: { 'team.id': 'team-a', prompt_length: 14, effort: 'medium' },
    ...overrides,
  };
}
