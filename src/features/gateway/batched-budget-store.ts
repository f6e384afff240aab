// The budget store as the gateway uses it: reservations and settlements of concurrent requests are
// group-committed (see Batcher), each still decided as if alone and in order.

import type {
  BudgetReservation,
  BudgetSettlement,
  BudgetStore,
  ReserveResult,
} from '../../storage/budget-port.ts';
import { Batcher } from './batcher.ts';

export function batchedBudgetStore(store: BudgetStore): BudgetStore {
  const reservations = new Batcher<BudgetReservation, ReserveResult>((items) => store.reserveMany(items));
  const settlements = new Batcher<BudgetSettlement, boolean>((items) => store.settleMany(items));
  return {
    reserve: (reservation) => reservations.submit(reservation),
    settle: (tenantId, requestId, counters, actualMicro, now) =>
      settlements.submit({ tenantId, requestId, counters, actualMicro, now }),
    reserveMany: (items) => store.reserveMany(items),
    settleMany: (items) => store.settleMany(items),
    drawDownMany: (items) => store.drawDownMany(items),
    markThreshold: (tenantId, counter, threshold, at) =>
      store.markThreshold(tenantId, counter, threshold, at),
    standings: (tenantId, charges, now) => store.standings(tenantId, charges, now),
  };
}
