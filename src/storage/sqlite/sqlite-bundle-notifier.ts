// Hears about bundle activations in SQLite by polling the active pointer; also sees other processes' writes.

import type { ActiveRevisionWatch, ChangeSource } from '../active-revision-watch.ts';

export const SQLITE_POLL_INTERVAL_MS = 200;

/** Polls only while someone listens; the timer is unref'd so it never keeps the process alive. */
export function createSqliteBundleNotifier(intervalMs = SQLITE_POLL_INTERVAL_MS): ChangeSource {
  let timer: NodeJS.Timeout | undefined;
  return {
    async start(watch: ActiveRevisionWatch) {
      if (timer) return;
      timer = setInterval(() => void watch.refresh(), intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
