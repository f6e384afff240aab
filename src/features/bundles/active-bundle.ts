// Keeps the active policy bundle in memory and follows every activation, from this process or any
// other sharing the store, so a newly applied bundle is in force within a second.
import type { PolicyConfig } from '../../config/policy-config.ts';
import type { Storage } from '../../storage/ports.ts';

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

  constructor(
    private readonly storage: Storage,
    private readonly logger: BundleLogger,
  ) {}

  /** Loads the active bundle (if any) and starts following changes. */
  async start(): Promise<void> {
    this.unsubscribe = this.storage.bundles.onActiveChange((revision) => {
      void this.load(revision);
    });
    const revision = await this.storage.bundles.activeRevision();
    if (revision) await this.load(revision);
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

  private async load(revision: string): Promise<void> {
    if (this.loaded?.revision === revision) return;
    try {
      const bundle = await this.storage.bundles.get(revision);
      if (!bundle) throw new Error(`bundle ${revision} is active but missing from the store`);
      // A slower load of an older activation must not overwrite a newer one.
      if ((await this.storage.bundles.activeRevision()) !== revision) return;
      const previous = this.loaded?.revision ?? null;
      this.loaded = { revision, content: bundle.content, loadedAt: new Date() };
      this.logger.info({ revision, previous }, 'policy bundle activated');
      for (const listener of this.listeners) listener(this.loaded);
    } catch (error) {
      // Keep deciding with the last good bundle rather than with none.
      this.logger.error({ err: error, revision }, 'could not load the active policy bundle');
    }
  }
}
