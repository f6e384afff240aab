// Composed rule sets, cached per (bundle revision, audience) as `caching.rules` says: entries live for
// `ttl_seconds`, the cache holds at most `max_size_mb` of text (least recently used goes first), and a
// new bundle revision never sees an old entry (the revision is part of the key).

import type { RuleContext } from '../../core/rules/compose-rule-context.ts';

export interface RuleCacheSettings {
  enabled: boolean;
  ttl_seconds: number;
  max_size_mb: number;
}

interface Entry {
  value: RuleContext;
  bytes: number;
  expiresAt: number;
}

export class RuleSetCache {
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;

  constructor(private readonly now: () => number) {}

  get(key: string, settings: RuleCacheSettings, compose: () => RuleContext): RuleContext {
    if (!settings.enabled || settings.ttl_seconds === 0) return compose();
    const found = this.#entries.get(key);
    if (found && found.expiresAt > this.now()) {
      // Re-insert: Map order is recency order.
      this.#entries.delete(key);
      this.#entries.set(key, found);
      this.#hits++;
      return found.value;
    }
    if (found) this.#remove(key, found);
    this.#misses++;
    const value = compose();
    const bytes = Buffer.byteLength(value.text) + 64 * (value.loaded.length + value.omitted.length + 1);
    const limit = settings.max_size_mb * 1024 * 1024;
    if (bytes > limit) return value;
    this.#entries.set(key, { value, bytes, expiresAt: this.now() + settings.ttl_seconds * 1000 });
    this.#bytes += bytes;
    for (const [oldKey, entry] of this.#entries) {
      if (this.#bytes <= limit) break;
      this.#remove(oldKey, entry);
    }
    return value;
  }

  stats(): { entries: number; bytes: number; hits: number; misses: number } {
    return { entries: this.#entries.size, bytes: this.#bytes, hits: this.#hits, misses: this.#misses };
  }

  #remove(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}
