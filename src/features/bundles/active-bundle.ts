// Keeps the active policy bundle (and any candidate tried beside it) in memory and follows every
// change, from this process or any other sharing the store, so what was applied is in force within
// a second.
import type { PolicyConfig } from '../../config/policy-config.ts';
import type { BundleCandidate, Storage } from '../../storage/ports.ts';
import { bundleRevision } from './bundle-revision.ts';

export interface LoadedBundle {
  revision: string;
  content: PolicyConfig;
  loadedAt: Date;
}

export interface LoadedCandidate extends LoadedBundle {
  mode: BundleCandidate['mode'];
  percent: number;
}

export interface BundleLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Candidates change without moving the active pointer, so they are also polled this often. */
const CANDIDATE_POLL_MS = 1_000;

export class ActiveBundle {
  private loaded: LoadedBundle | undefined;
  private loadedCandidate: LoadedCandidate | undefined;
  private unsubscribe: (() => void) | undefined;
  private poller: NodeJS.Timeout | undefined;
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
    this.poller = setInterval(() => void this.refresh(), CANDIDATE_POLL_MS);
    this.poller.unref();
    await this.refresh();
  }

  current(): LoadedBundle | undefined {
    return this.loaded;
  }

  /** The shadow or canary bundle being tried, if any. */
  candidate(): LoadedCandidate | undefined {
    return this.loadedCandidate;
  }

  onChange(listener: (bundle: LoadedBundle) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.poller);
    this.poller = undefined;
  }

  /** Brings the in-memory bundles to whatever is active now; notifications only say "look again". */
  refresh(): Promise<void> {
    this.queue = this.queue.then(async () => {
      await this.loadActive();
      await this.loadCandidate();
    });
    return this.queue;
  }

  private async loadActive(): Promise<void> {
    let revision: string | null = null;
    try {
      revision = await this.storage.bundles.activeRevision();
      if (!revision || this.loaded?.revision === revision) return;
      const content = await this.verifiedContent(revision);
      const previous = this.loaded?.revision ?? null;
      this.loaded = { revision, content, loadedAt: new Date() };
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

  private async loadCandidate(): Promise<void> {
    try {
      const candidate = await this.storage.bundles.candidate();
      if (!candidate) {
        if (this.loadedCandidate)
          this.logger.info({ revision: this.loadedCandidate.revision }, 'candidate bundle cleared');
        this.loadedCandidate = undefined;
        return;
      }
      const same = this.loadedCandidate;
      if (
        same?.revision === candidate.revision &&
        same.mode === candidate.mode &&
        same.percent === candidate.percent
      )
        return;
      const content =
        same?.revision === candidate.revision ? same.content : await this.verifiedContent(candidate.revision);
      this.loadedCandidate = {
        revision: candidate.revision,
        content,
        loadedAt: new Date(),
        mode: candidate.mode,
        percent: candidate.percent,
      };
      this.logger.info(
        { revision: candidate.revision, mode: candidate.mode, percent: candidate.percent },
        'candidate bundle loaded',
      );
    } catch (error) {
      // Without a trustworthy candidate, only the active bundle applies.
      this.loadedCandidate = undefined;
      this.logger.error({ err: error }, 'could not load the candidate bundle; enforcing the active one only');
    }
  }

  /** Fail closed on a tampered or corrupted row: a bundle must hash to its revision. */
  private async verifiedContent(revision: string): Promise<PolicyConfig> {
    const bundle = await this.storage.bundles.get(revision);
    if (!bundle) throw new Error(`bundle ${revision} is referenced but missing from the store`);
    const actual = bundleRevision(bundle.content);
    if (actual !== revision)
      throw new Error(`bundle ${revision} does not match its content (sha256 ${actual})`);
    return bundle.content;
  }
}
