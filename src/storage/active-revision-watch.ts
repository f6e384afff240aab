// Fans active-bundle changes out to `onActiveChange` listeners: dedupes, orders, starts and stops the source.

import type { StorageLogger } from './storage-logger.ts';

/** The active-bundle pointer: `seq` grows with every activation, so stale observations can be dropped. */
export interface ActiveState {
  seq: number;
  revision: string | null;
}

/** Where a dialect learns about changes made elsewhere (a poll timer, LISTEN/NOTIFY); runs only while watched. */
export interface ChangeSource {
  /** Resolves once changes will be reported (e.g. LISTEN is in place). */
  start(watch: ActiveRevisionWatch): Promise<void>;
  stop(): Promise<void>;
}

export interface ActiveRevisionWatchOptions {
  load: () => Promise<ActiveState>;
  source?: ChangeSource;
  logger: StorageLogger;
}

export class ActiveRevisionWatch {
  readonly #options: ActiveRevisionWatchOptions;
  readonly #listeners = new Set<(revision: string) => void>();
  /** Undefined until the baseline is known; only meaningful while watching. */
  #last: ActiveState | undefined;
  #ready: Promise<void> = Promise.resolve();
  #refreshing: Promise<void> | undefined;
  #loadFailing = false;
  #closed = false;

  constructor(options: ActiveRevisionWatchOptions) {
    this.#options = options;
  }

  get watching(): boolean {
    return this.#listeners.size > 0;
  }

  subscribe(listener: (revision: string) => void): () => void {
    if (this.#closed) return () => {};
    // Wrap so that subscribing the same function twice yields two independent subscriptions.
    const entry = (revision: string) => listener(revision);
    this.#listeners.add(entry);
    if (this.#listeners.size === 1) this.#start();
    return () => {
      if (!this.#listeners.delete(entry) || this.#listeners.size > 0) return;
      this.#stop();
    };
  }

  /**
   * Resolves once the baseline is known. A local activation awaits this before writing, so a listener
   * added just before it always hears about it (the baseline cannot already include it).
   */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Reports a state seen by a poll, a notification or a local write; older or equal `seq`s are ignored. */
  observe(state: ActiveState, options: { baseline?: boolean } = {}): void {
    if (!this.watching) return;
    const last = this.#last;
    if (last !== undefined && state.seq <= last.seq) return;
    this.#last = state;
    if (last === undefined && options.baseline) return;
    if (state.revision === null || state.revision === last?.revision) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(state.revision);
      } catch (error) {
        this.#options.logger.warn({ err: error }, 'bundle change listener threw');
      }
    }
  }

  /** Loads the pointer and observes it; concurrent calls share one query. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#load().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const wasWatching = this.watching;
    this.#listeners.clear();
    if (wasWatching) await this.#options.source?.stop();
  }

  async #load(): Promise<void> {
    try {
      const baseline = this.#last === undefined;
      const state = await this.#options.load();
      this.#loadFailing = false;
      this.observe(state, { baseline });
    } catch (error) {
      if (this.#closed) return; // a poll racing close() fails on the closed connection; nothing to report
      // Log once per failure streak: a poll every 200 ms must not flood the log.
      if (!this.#loadFailing) this.#options.logger.warn({ err: error }, 'cannot read the active bundle');
      this.#loadFailing = true;
    }
  }

  #start(): void {
    this.#last = undefined;
    const source = this.#options.source;
    const started = source
      ? source.start(this).catch((error: unknown) => {
          this.#options.logger.warn({ err: error }, 'cannot watch for bundle changes');
        })
      : Promise.resolve();
    this.#ready = started.then(() => this.refresh());
  }

  #stop(): void {
    this.#last = undefined;
    this.#ready = Promise.resolve();
    this.#options.source?.stop().catch((error: unknown) => {
      this.#options.logger.warn({ err: error }, 'cannot stop watching for bundle changes');
    });
  }
}
