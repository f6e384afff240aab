// In-memory BundleStore for unit tests; listeners hear about an activation before `activate` resolves.

import { ActiveRevisionWatch } from '../active-revision-watch.ts';
import type { BundleActivation, BundleCandidate, BundleRecord, BundleStore } from '../ports.ts';
import { unknownBundleError } from '../storage-errors.ts';
import type { StorageLogger } from '../storage-logger.ts';

const copy = <T>(value: T): T => structuredClone(value);

export class MemoryBundleStore implements BundleStore {
  readonly #bundles = new Map<string, BundleRecord>();
  readonly #activations: BundleActivation[] = [];
  readonly #watch: ActiveRevisionWatch;

  constructor(logger: StorageLogger) {
    this.#watch = new ActiveRevisionWatch({ load: async () => this.#state(), logger });
  }

  async put(bundle: BundleRecord): Promise<boolean> {
    if (this.#bundles.has(bundle.revision)) return false;
    this.#bundles.set(bundle.revision, copy(bundle));
    return true;
  }

  async get(revision: string): Promise<BundleRecord | undefined> {
    const bundle = this.#bundles.get(revision);
    return bundle && copy(bundle);
  }

  async activate(revision: string, appliedBy: string, at: Date): Promise<BundleActivation> {
    return (await this.activateReporting(revision, appliedBy, at)).activation;
  }

  /** Like activate, and says whether anything changed (false when the revision was already active). */
  async activateReporting(
    revision: string,
    appliedBy: string,
    at: Date,
  ): Promise<{ activation: BundleActivation; activated: boolean }> {
    if (!this.#bundles.has(revision)) throw unknownBundleError(revision);
    await this.#watch.ready();
    const latest = this.#activations.at(-1);
    if (latest?.revision === revision) return { activation: copy(latest), activated: false };
    const activation: BundleActivation = {
      revision,
      previousRevision: this.#state().revision,
      appliedBy,
      appliedAt: new Date(at),
    };
    this.#activations.push(activation);
    this.#watch.observe(this.#state());
    return { activation: copy(activation), activated: true };
  }

  /** Takes back a bundle stored by a publication that failed before activating it. */
  forget(revision: string): void {
    if (this.#activations.some((a) => a.revision === revision)) return;
    this.#bundles.delete(revision);
  }

  async activeRevision(): Promise<string | null> {
    return this.#state().revision;
  }

  async history(limit: number): Promise<BundleActivation[]> {
    return [...this.#activations].reverse().slice(0, Math.max(0, limit)).map(copy);
  }

  onActiveChange(listener: (revision: string) => void): () => void {
    return this.#watch.subscribe(listener);
  }

  #candidate: BundleCandidate | null = null;

  async candidate(): Promise<BundleCandidate | null> {
    return this.#candidate && copy(this.#candidate);
  }

  async setCandidate(candidate: BundleCandidate | null): Promise<void> {
    if (candidate && !this.#bundles.has(candidate.revision)) throw unknownBundleError(candidate.revision);
    this.#candidate = candidate && copy(candidate);
  }

  close(): Promise<void> {
    return this.#watch.close();
  }

  #state() {
    return { seq: this.#activations.length, revision: this.#activations.at(-1)?.revision ?? null };
  }
}
