// Hears about bundle activations in PostgreSQL: LISTEN on a dedicated connection, a slow poll as a safety net.

import pg from 'pg';
import type { ActiveRevisionWatch, ChangeSource } from '../active-revision-watch.ts';
import type { StorageLogger } from '../storage-logger.ts';

export const POSTGRES_POLL_INTERVAL_MS = 5_000;
const RECONNECT_DELAY_MS = 1_000;
const CONNECT_TIMEOUT_MS = 5_000;

export interface PostgresBundleNotifierOptions {
  connectionString: string;
  channel: string;
  logger: StorageLogger;
  pollIntervalMs?: number;
}

/** The NOTIFY payload `activate()` sends; anything else on the channel is ignored. */
function parsePayload(payload: string | undefined): { seq: number; revision: string } | undefined {
  try {
    const value: unknown = JSON.parse(payload ?? '');
    if (typeof value !== 'object' || value === null) return undefined;
    const { seq, revision } = value as Record<string, unknown>;
    return typeof seq === 'number' && typeof revision === 'string' ? { seq, revision } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * While watched: one LISTEN connection (outside the pool, so it never starves queries), reconnected after a
 * delay when lost, with a poll on reconnect and every `pollIntervalMs` to catch notifications missed meanwhile.
 * Timers are unref'd; the LISTEN socket itself keeps the process alive until the last listener leaves or close().
 */
export function createPostgresBundleNotifier(options: PostgresBundleNotifierOptions): ChangeSource {
  const { channel, logger } = options;
  let generation = 0;
  let client: pg.Client | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const scheduleReconnect = (watch: ActiveRevisionWatch, gen: number) => {
    if (gen !== generation || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void listen(watch, gen).then(() => watch.refresh());
    }, RECONNECT_DELAY_MS);
    reconnectTimer.unref();
  };

  const listen = async (watch: ActiveRevisionWatch, gen: number): Promise<void> => {
    // Bounded connect: a local activate() waits for this watcher to be ready.
    const candidate = new pg.Client({
      connectionString: options.connectionString,
      keepAlive: true,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    let gone = false;
    const lost = (error?: Error) => {
      if (gone) return;
      gone = true;
      if (client === candidate) client = undefined;
      candidate.end().catch(() => {});
      if (gen !== generation) return;
      logger.warn({ err: error, channel }, 'lost the bundle LISTEN connection; reconnecting');
      scheduleReconnect(watch, gen);
    };
    candidate.on('error', lost);
    candidate.on('end', () => lost());
    candidate.on('notification', (message) => {
      const state = message.channel === channel ? parsePayload(message.payload) : undefined;
      if (state) watch.observe(state);
    });
    try {
      await candidate.connect();
      await candidate.query(`LISTEN "${channel}"`);
    } catch (error) {
      lost(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (gen !== generation) {
      await candidate.end().catch(() => {});
      return;
    }
    client = candidate;
  };

  return {
    async start(watch) {
      const gen = ++generation;
      pollTimer = setInterval(
        () => void watch.refresh(),
        options.pollIntervalMs ?? POSTGRES_POLL_INTERVAL_MS,
      );
      pollTimer.unref();
      await listen(watch, gen);
    },
    async stop() {
      generation++;
      clearInterval(pollTimer);
      clearTimeout(reconnectTimer);
      pollTimer = undefined;
      reconnectTimer = undefined;
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}
