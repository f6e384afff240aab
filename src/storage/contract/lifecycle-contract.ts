// Contract: Storage lifecycle — idempotent migrations, readiness and closing.

import { describe, expect, it } from 'vitest';
import type { ContractContext } from './contract-fixtures.ts';

export function lifecycleContract(ctx: ContractContext): void {
  describe('lifecycle', () => {
    it('migrates idempotently: nothing is pending the second time, from any instance', async () => {
      expect(await ctx.storage().migrate()).toEqual([]);
      if (ctx.storage().dialect !== 'memory') {
        const other = await ctx.another();
        expect(await other.migrate()).toEqual([]);
        await expect(other.ping()).resolves.toBeUndefined();
      }
    });

    it('is ready once migrated', async () => {
      await expect(ctx.storage().ping()).resolves.toBeUndefined();
    });

    it('closes idempotently, stopping change listeners', async () => {
      const other = await ctx.another();
      await other.migrate();
      other.bundles.onActiveChange(() => {});
      await other.close();
      await expect(other.close()).resolves.toBeUndefined();
    });
  });
}
