// The SQLite writer thread's side: audit appends, budget reservations and settlements, and usage records,
// over a connection of its own, so their statements and each commit's fsync run beside the main event loop.

import { parentPort, workerData } from 'node:worker_threads';
import { KyselyBudgetStore } from '../kysely/kysely-budget-store.ts';
import { KyselyMachineStore } from '../kysely/kysely-machine-store.ts';
import type { PackedUsageRows } from '../usage-row.ts';
import { prepareSqliteAuditAppend } from './sqlite-audit-append.ts';
import {
  THREAD_WRITES,
  toChainedReply,
  type WriterReply,
  type WriterRequest,
} from './sqlite-audit-writer-protocol.ts';
import { kyselyOver, openSqliteDatabase } from './sqlite-connections.ts';
import { sqliteTraits } from './sqlite-traits.ts';
import { prepareSqliteUsageInsert } from './sqlite-usage-insert.ts';

const port = parentPort;
if (!port) throw new Error('sqlite-audit-writer-thread must run in a worker thread');
const { file } = workerData as { file: string };
const database = openSqliteDatabase(file);
const append = prepareSqliteAuditAppend(database);

// Budget and usage writes go through the same connection, with the stores the main thread would use, but
// for usage inserts (one a request): a prepared statement, given rows rather than records.
const db = kyselyOver(database);
const insertUsage = prepareSqliteUsageInsert(database);
const stores = {
  budgets: new KyselyBudgetStore(db, sqliteTraits),
  usage: {
    insertRows: async (packed: PackedUsageRows) => insertUsage(packed),
  } satisfies Record<(typeof THREAD_WRITES)['usage'][number], unknown>,
  machines: new KyselyMachineStore(db),
};

// One message at a time, in arrival order: batches of a tenant keep their order, and a store call's
// transaction (its awaits are microtasks over a synchronous driver) never interleaves with another.
let queue = Promise.resolve();
port.on('message', (request: WriterRequest) => {
  queue = queue.then(() => handle(request));
});

async function handle(request: WriterRequest): Promise<void> {
  if (request.kind === 'close') {
    await db.destroy();
    port!.close();
    return;
  }
  port!.postMessage(request.kind === 'append' ? answer(request) : await call(request));
}

async function call(request: Extract<WriterRequest, { kind: 'call' }>): Promise<WriterReply> {
  try {
    const allowed = THREAD_WRITES[request.store] as readonly string[];
    if (!allowed.includes(request.method))
      throw new Error(`${request.store}.${request.method} is not a thread write`);
    const store = stores[request.store] as unknown as Record<
      string,
      (...args: unknown[]) => Promise<unknown>
    >;
    return { id: request.id, value: await store[request.method]!(...request.args) };
  } catch (error) {
    return failure(request.id, error);
  }
}

function answer(request: Extract<WriterRequest, { kind: 'append' }>): WriterReply {
  try {
    return toChainedReply(request.id, append(request.tenantId, request.entries));
  } catch (error) {
    return failure(request.id, error);
  }
}

function failure(id: number, error: unknown): WriterReply {
  {
    const { code, status } = error as { code?: unknown; status?: unknown };
    return {
      id,
      error: {
        message: error instanceof Error ? error.message : String(error),
        ...(typeof code === 'string' ? { code } : {}),
        ...(typeof status === 'number' ? { status } : {}),
      },
    };
  }
}
