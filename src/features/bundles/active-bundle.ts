// Keeps the active policy bundle in memory and follows every activation, from this process or any
// other sharing the store, so a newly applied bundle is in force within a second.
import type { PolicyConfig } from '../../config/policy-config.ts';
import type { Storage } from '../../storage/ports.ts';
import { bundleRevision } from './bundle-revision.ts';

export interface LoadedBundle {
  revision: string;
  content: PolicyConfig;
  loadedAt: Date;
}

export interface BundleLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class ActiveBundle {
  private loaded: LoadedBundle | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly listeners = new Set<(bundle: LoadedBundle) => void>();
  /** Loads run one at a time, so an older activation can never overwrite a newer one. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: Storage,
    private readonly logger: BundleLogger,
  ) {}

  /** Loads the active bundle (if any) and starts following changes. */
  async start(): Promise<void> {
    this.unsubscribe = this.storage.bundles.onActiveChange(() => {
      void this.refresh();
    });
    await this.refresh();
  }

  current(): LoadedBundle | undefined {
    return this.loaded;
  }

  onChange(listener: (bundle: LoadedBundle) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Brings the in-memory bundle to whatever is active now; notifications only say "look again". */
  refresh(): Promise<void> {
    this.queue = this.queue.then(() => this.loadActive());
    return this.queue;
  }

  private async loadActive(): Promise<void> {
    let revision: string | null = null;
    try {
      revision = await this.storage.bundles.activeRevision();
      if (!revision || this.loaded?.revision === revision) return;
      const bundle = await this.storage.bundles.get(revision);
      if (!bundle) throw new Error(`bundle ${revision} is active but missing from the store`);
      // Fail closed on a tampered or corrupted row: keep the last good bundle rather than trust it.
      const actual = bundleRevision(bundle.content);
      if (actual !== revision)
        throw new Error(`bundle ${revision} does not match its content (sha256 ${actual})`);
      const previous = this.loaded?.revision ?? null;
      this.loaded = { revision, content: bundle.content, loadedAt: new Date() };
      this.logger.info({ revision, previous }, 'policy bundle activated');
    } catch (error) {
      this.logger.error(
        { err: error, revision },
        'could not load the active policy bundle; keeping the last good one',
      );
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(this.loaded);
      } catch (error) {
        this.logger.error({ err: error, revision }, 'a bundle change listener failed');
      }
    }
  }
}
