// The audit writer thread's side: appends to the SQLite file over a connection of its own, so hashing,
// inserting and the commit's fsync run beside the main event loop instead of blocking it.

import { parentPort, workerData } from 'node:worker_threads';
import { prepareSqliteAuditAppend } from './sqlite-audit-append.ts';
import { toChainedReply, type WriterReply, type WriterRequest } from './sqlite-audit-writer-protocol.ts';
import { openSqliteDatabase } from './sqlite-connections.ts';

const port = parentPort;
if (!port) throw new Error('sqlite-audit-writer-thread must run in a worker thread');
const { file } = workerData as { file: string };
const database = openSqliteDatabase(file);
const append = prepareSqliteAuditAppend(database);

// Appends run synchronously, one message at a time, in arrival order: batches of a tenant keep their order.
port.on('message', (request: WriterRequest) => {
  if (request.kind === 'close') {
    database.close();
    port.close();
    return;
  }
  port.postMessage(answer(request));
});

function answer(request: Extract<WriterRequest, { kind: 'append' }>): WriterReply {
  try {
    return toChainedReply(request.id, append(request.tenantId, request.entries));
  } catch (error) {
    const { code, status } = error as { code?: unknown; status?: unknown };
    return {
      id: request.id,
      error: {
        message: error instanceof Error ? error.message : String(error),
        ...(typeof code === 'string' ? { code } : {}),
        ...(typeof status === 'number' ? { status } : {}),
      },
    };
  }
}
