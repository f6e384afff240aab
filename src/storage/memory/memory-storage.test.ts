// Runs the storage contract against the in-memory fake, and checks the fake's own promises.

import { describe, expect, it } from 'vitest';
import { runStorageContract } from '../contract/run-storage-contract.ts';
import { createStorage } from '../create-storage.ts';
import { createMemoryStorage } from './memory-storage.ts';

runStorageContract('memory', () => createStorage({ memory: true }));

describe('memory storage', () => {
  it('hands out copies, so callers cannot change stored records', async () => {
    const storage = createMemoryStorage();
    await storage.org.sync(
      't',
      {
        tenant: { id: 't', name: 'T' },
        businessUnits: [],
        teams: [],
        users: [
          {
            id: 'a@x',
            email: 'a@x',
            name: null,
            teamId: null,
            businessUnitId: null,
            roles: ['r'],
            groups: [],
          },
        ],
        groups: [],
        serviceAccounts: [],
      },
      new Date(0),
    );
    const user = await storage.org.getUser('t', 'a@x');
    user!.roles.push('admin');
    expect((await storage.org.getUser('t', 'a@x'))?.roles).toEqual(['r']);
  });

  it('reports one pseudo-migration, then none', async () => {
    const storage = createMemoryStorage();
    expect(await storage.migrate()).toEqual(['memory']);
    expect(await storage.migrate()).toEqual([]);
  });
});
