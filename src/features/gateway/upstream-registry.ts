// The upstreams of the active policy bundle, each with a keep-alive connection pool that is reused
// while its settings stay the same and closed (after its requests finish) when they change.

import type { GatewayConfig, UpstreamConfig } from '../../config/policy-config.ts';
import { resolveSecret } from '../../config/resolve-secret.ts';
import { AppError } from '../../core/errors/app-error.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { anthropicProvider } from './providers/anthropic/anthropic-provider.ts';
import type { SecretField, UpstreamProvider } from './providers/provider.ts';
import { Pool } from './undici-pool.ts';

export interface Upstream {
  name: string;
  provider: UpstreamProvider;
  config: UpstreamConfig;
  baseUrl: URL;
  pool: Pool;
  breaker: CircuitBreaker;
  /** A secret field, resolved from the environment when a request is sent. */
  secret(field: SecretField): string | undefined;
}

export interface UpstreamRegistryOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** `serve --upstream-url`: replaces the first Anthropic upstream's base URL (tests, local mocks). */
  upstreamUrl?: string | undefined;
}

const PROVIDERS: Record<UpstreamConfig['provider'], UpstreamProvider> = {
  anthropic: anthropicProvider,
  // Loaded on a first request to such an upstream: their cloud SDKs (AWS signing and event streams, Google
  // auth) would otherwise hold 10 MB of heap in every server, most of which never use them.
  bedrock: lazyProvider('bedrock', ['translateResponse', 'translateError', 'readCount'], async () => {
    const { bedrockProvider } = await import('./providers/bedrock/bedrock-provider.ts');
    return bedrockProvider;
  }),
  vertex: lazyProvider('vertex', ['translateError', 'readCount'], async () => {
    const { vertexProvider } = await import('./providers/vertex/vertex-provider.ts');
    return vertexProvider;
  }),
};

/** A provider's optional hooks, which a lazy provider must name before its module is loaded. */
type ProviderHook = 'translateResponse' | 'translateError' | 'readCount';

/**
 * A provider whose module is imported by its first `buildRequest`. An answer is only ever translated or
 * read after its request was built, so each of `hooks` finds the module loaded.
 */
function lazyProvider(
  kind: string,
  hooks: readonly ProviderHook[],
  load: () => Promise<UpstreamProvider>,
): UpstreamProvider {
  let loaded: UpstreamProvider | undefined;
  const provider: UpstreamProvider = {
    kind,
    buildRequest(input) {
      if (loaded) return loaded.buildRequest(input);
      return load().then((provider) => {
        loaded = provider;
        return provider.buildRequest(input);
      });
    },
  };
  const target = provider as unknown as Record<ProviderHook, (...args: unknown[]) => unknown>;
  for (const hook of hooks) {
    target[hook] = (...args) => {
      const method = loaded?.[hook] as ((...args: unknown[]) => unknown) | undefined;
      if (!method) throw new Error(`the ${kind} provider's ${hook} ran before it was loaded`);
      return method.apply(loaded, args);
    };
  }
  return provider;
}

export class UpstreamRegistry {
  readonly #options: UpstreamRegistryOptions;
  #key: string | undefined;
  #upstreams: Upstream[] = [];
  /** The config the upstreams were last looked up for: a bundle's config is frozen, so the same object means the same upstreams. */
  #lastConfig: GatewayConfig | undefined;

  constructor(options: UpstreamRegistryOptions) {
    this.#options = options;
  }

  /** The upstreams in failover order for this gateway config. */
  upstreams(config: GatewayConfig): Upstream[] {
    if (config === this.#lastConfig) return this.#upstreams;
    const configs = this.#effective(config);
    const key = JSON.stringify(configs);
    if (key !== this.#key) {
      const previous = this.#upstreams;
      this.#upstreams = configs.map((c, index) => this.#open(c, index));
      this.#key = key;
      // Requests already sent on the old pools finish; new ones use the new pools.
      for (const upstream of previous) void upstream.pool.close();
    }
    this.#lastConfig = config;
    return this.#upstreams;
  }

  /** Each upstream's breaker, for /readyz. */
  health(now: number) {
    return this.#upstreams.map((u) => ({ name: u.name, ...u.breaker.health(now) }));
  }

  async close(): Promise<void> {
    const open = this.#upstreams;
    this.#upstreams = [];
    this.#key = undefined;
    this.#lastConfig = undefined;
    await Promise.all(open.map((u) => u.pool.close()));
  }

  #effective(config: GatewayConfig): UpstreamConfig[] {
    const override = this.#options.upstreamUrl;
    if (!override) return config.upstreams;
    let replaced = false;
    return config.upstreams.map((upstream) => {
      if (replaced || upstream.provider !== 'anthropic') return upstream;
      replaced = true;
      return { ...upstream, base_url: override };
    });
  }

  #open(config: UpstreamConfig, index: number): Upstream {
    const url = new URL(config.base_url);
    const pool = new Pool(url.origin, {
      connections: config.connections,
      headersTimeout: config.timeout_ms,
      bodyTimeout: config.idle_timeout_ms,
      keepAliveTimeout: 30_000,
    });
    const env = this.#options.env;
    // The environment is read once at start, so a resolved secret stays what it was.
    const resolved = new Map<SecretField, string | undefined>();
    return {
      name: config.name,
      provider: PROVIDERS[config.provider],
      config,
      baseUrl: url,
      pool,
      breaker: new CircuitBreaker(),
      secret: (name) => {
        const reference = config[name];
        if (reference === undefined) return undefined;
        if (resolved.has(name)) return resolved.get(name);
        const field = `gateway.upstreams[${index}].${name}`;
        try {
          const value = resolveSecret(reference, env, field);
          resolved.set(name, value);
          return value;
        } catch (error) {
          throw new AppError(
            502,
            'api_error',
            `The gateway has no credential for upstream "${config.name}": ${(error as Error).message}`,
            { field },
          );
        }
      },
    };
  }
}
