// Appends audit records through a dedicated thread (see sqlite-audit-writer-thread.ts). better-sqlite3 is
// synchronous, so appending on the main thread would stall every request for each batch's hashing, inserts
// and fsync; the thread does that work on another core while the main thread keeps answering.

import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../core/errors/app-error.ts';
import type { BudgetStore } from '../budget-port.ts';
import type { MachineStore } from '../machine-port.ts';
import type { AuditEntry, AuditRecord, AuditStore, TenantId } from '../ports.ts';
import type { UsageStore } from '../usage-port.ts';
import { packUsageRecords } from '../usage-row.ts';
import {
  recordsFromReply,
  type ThreadStore,
  type WriterReply,
  type WriterRequest,
} from './sqlite-audit-writer-protocol.ts';

/** Run from the TypeScript sources (through tsx), or from compiled JavaScript (ADR 0008)? */
const FROM_SOURCES = import.meta.url.endsWith('.ts');
/** Beside this file, in the sources, in `tsc`'s dist/ and in the compiled runtime (build/) alike. */
const THREAD_ENTRY = new URL(`./sqlite-audit-writer-thread.${FROM_SOURCES ? 'ts' : 'js'}`, import.meta.url)
  .href;

/**
 * From the sources, the thread runs our TypeScript through tsx, as the server does (ADR 0003); a worker
 * does not inherit the loader registered in its parent, so it registers its own before importing the
 * entry. Compiled, it imports the entry directly: no loader, and no loader thread of its own.
 */
const BOOTSTRAP = FROM_SOURCES
  ? `
const { workerData } = require('node:worker_threads');
import('tsx/esm/api').then(({ register }) => { register(); return import(workerData.entry); });
`
  : `
const { workerData } = require('node:worker_threads');
import(workerData.entry);
`;

/** An append failed in the thread, or the thread died; its error class does not cross the thread boundary. */
export class AuditWriterError extends Error {
  readonly code: string | undefined;

  constructor(message: string, code?: string) {
    super(message);
    this.name = 'AuditWriterError';
    this.code = code;
  }
}

/** Our own errors (a rejected entry) keep their status and code; storage errors keep their code. */
function writerError(error: { message: string; code?: string; status?: number }): Error {
  if (error.status !== undefined && error.code !== undefined)
    return new AppError(error.status, error.code, error.message);
  return new AuditWriterError(error.message, error.code);
}

type Pending =
  | {
      kind: 'append';
      tenantId: TenantId;
      entries: readonly AuditEntry[];
      resolve(records: AuditRecord[]): void;
      reject(error: unknown): void;
    }
  | { kind: 'call'; resolve(value: unknown): void; reject(error: unknown): void };

export class SqliteAuditWriter {
  readonly #file: string;
  #worker: Worker | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  constructor(file: string) {
    this.#file = file;
  }

  /** Resolves once the records are committed by the thread; rejects with the thread's error otherwise. */
  append(tenantId: TenantId, entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    if (entries.length === 0) return Promise.resolve([]);
    const worker = this.#worker ?? this.#start();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { kind: 'append', tenantId, entries, resolve, reject });
      // Only while requests are pending does the thread keep the process alive.
      if (this.#pending.size === 1) worker.ref();
      worker.postMessage({ kind: 'append', id, tenantId, entries } satisfies WriterRequest);
    });
  }

  /** Runs a store write in the thread (see THREAD_WRITES) and resolves with its result once committed. */
  call<T>(store: ThreadStore, method: string, args: unknown[]): Promise<T> {
    const worker = this.#worker ?? this.#start();
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { kind: 'call', resolve: resolve as (value: unknown) => void, reject });
      if (this.#pending.size === 1) worker.ref();
      worker.postMessage({ kind: 'call', id, store, method, args } satisfies WriterRequest);
    });
  }

  /** Lets the appends already sent finish, then closes the thread's connection and ends it. */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    this.#worker = undefined;
    // The thread takes requests in order, so it answers every append sent before it handles this one.
    const exited = once(worker, 'exit');
    // An idle thread is unref'd; waiting for it to end must keep the process alive until it has.
    worker.ref();
    worker.postMessage({ kind: 'close' } satisfies WriterRequest);
    await exited;
  }

  #start(): Worker {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { entry: THREAD_ENTRY, file: this.#file },
      // The thread allocates little that lives; a small young generation keeps its isolate small.
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    worker.unref();
    worker.on('message', (reply: WriterReply) => this.#settle(reply, worker));
    worker.on('error', (error) => this.#failAll(error, worker));
    worker.on('exit', (code) => {
      this.#failAll(new AuditWriterError(`the audit writer thread exited (code ${code})`), worker);
    });
    this.#worker = worker;
    return worker;
  }

  #settle(reply: WriterReply, worker: Worker): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    // A closing writer (no longer this.#worker) stays ref'd until its thread has exited.
    if (this.#pending.size === 0 && this.#worker === worker) worker.unref();
    if ('error' in reply) pending.reject(writerError(reply.error));
    else if (pending.kind === 'call') pending.resolve('value' in reply ? reply.value : undefined);
    else if ('hashes' in reply) pending.resolve(recordsFromReply(pending.tenantId, pending.entries, reply));
  }

  /** A dead thread fails every append it held; the next append starts a new one. */
  #failAll(error: unknown, worker: Worker): void {
    if (this.#worker === worker) this.#worker = undefined;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const { reject } of pending) reject(error);
  }
}

/** The audit store with appends routed through the writer thread; reads and retention stay on the caller's connection. */
export function withAuditWriterThread(store: AuditStore, writer: SqliteAuditWriter): AuditStore {
  return {
    append: (tenantId, entries) => writer.append(tenantId, entries),
    list: (tenantId, query) => store.list(tenantId, query),
    head: (tenantId) => store.head(tenantId),
    checkpoints: (tenantId) => store.checkpoints(tenantId),
    deleteBefore: (tenantId, before, at) => store.deleteBefore(tenantId, before, at),
    tenants: () => store.tenants(),
  };
}

/** Budget writes through the thread; standings are read on the caller's connection. */
export function budgetsThroughThread(store: BudgetStore, writer: SqliteAuditWriter): BudgetStore {
  return {
    reserve: (reservation) => writer.call('budgets', 'reserve', [reservation]),
    settle: (...args) => writer.call('budgets', 'settle', args),
    reserveMany: (reservations) => writer.call('budgets', 'reserveMany', [reservations]),
    settleMany: (settlements) => writer.call('budgets', 'settleMany', [settlements]),
    drawDownMany: (items) => writer.call('budgets', 'drawDownMany', [items]),
    markThreshold: (...args) => writer.call('budgets', 'markThreshold', args),
    standings: (tenantId, charges, now) => store.standings(tenantId, charges, now),
  };
}

/** Usage inserts through the thread; queries on the caller's connection. */
export function usageThroughThread(store: UsageStore, writer: SqliteAuditWriter): UsageStore {
  return {
    insert: (records) => writer.call('usage', 'insertRows', [packUsageRecords(records)]),
    list: (tenantId, query) => store.list(tenantId, query),
    spend: (tenantId, query) => store.spend(tenantId, query),
  };
}

/** Reports of served settings and sessions through the thread; queries on the caller's connection. */
export function machinesThroughThread(store: MachineStore, writer: SqliteAuditWriter): MachineStore {
  return {
    recordServed: (served) => writer.call('machines', 'recordServed', [served]),
    recordReports: (reports) => writer.call('machines', 'recordReports', [reports]),
    sessions: (tenantId, since) => store.sessions(tenantId, since),
  };
}
