// The one contract every Storage adapter must pass; each adapter's test file calls it with its factory.

import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Storage } from '../ports.ts';
import { alertContract } from './alert-contract.ts';
import { apiKeyContract } from './api-key-contract.ts';
import { auditContract } from './audit-contract.ts';
import { budgetContract } from './budget-contract.ts';
import { budgetIncreaseContract } from './budget-increase-contract.ts';
import { bundleContract } from './bundle-contract.ts';
import type { ContractContext } from './contract-fixtures.ts';
import { lifecycleContract } from './lifecycle-contract.ts';
import { machineContract } from './machine-contract.ts';
import { orgContract } from './org-contract.ts';
import { publicationContract } from './publication-contract.ts';
import { sessionContract } from './session-contract.ts';
import { signInContract } from './sign-in-contract.ts';
import { spendLimitContract } from './spend-limit-contract.ts';
import { telemetryContract } from './telemetry-contract.ts';
import { tenantIsolationContract } from './tenant-isolation-contract.ts';
import { usageContract } from './usage-contract.ts';

/**
 * `make` opens a new instance over the same database each time it is called (for the SQL adapters: the same
 * file or schema), so cross-instance behaviour can be tested; tests use fresh ids, so the database may be shared.
 */
export function runStorageContract(name: string, make: () => Promise<Storage>): void {
  describe(`storage contract: ${name}`, () => {
    let storage: Storage | undefined;
    const others: Storage[] = [];
    const ctx: ContractContext = {
      storage: () => {
        if (!storage) throw new Error('storage is not open');
        return storage;
      },
      another: async () => {
        const other = await make();
        others.push(other);
        return other;
      },
    };

    beforeAll(async () => {
      storage = await make();
      // A fresh database reports what it applied; one another run already migrated reports nothing.
      expect(Array.isArray(await storage.migrate())).toBe(true);
    });

    afterAll(async () => {
      await Promise.all(others.map((s) => s.close()));
      await storage?.close();
    });

    lifecycleContract(ctx);
    orgContract(ctx);
    apiKeyContract(ctx);
    tenantIsolationContract(ctx);
    bundleContract(ctx);
    sessionContract(ctx);
    publicationContract(ctx);
    auditContract(ctx);
    usageContract(ctx);
    telemetryContract(ctx);
    budgetContract(ctx);
    budgetIncreaseContract(ctx);
    signInContract(ctx);
    machineContract(ctx);
    spendLimitContract(ctx);
    alertContract(ctx);
  });
}
