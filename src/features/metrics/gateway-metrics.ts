// Gateway requests, tokens and cost by tenant and model, and upstream errors by upstream and kind. Counted
// from each usage record as it is queued (for an answered request, after its last byte went to the
// client) and where the forwarder gives up on a try; nothing here is per user or per key.
import type { Registry } from 'prom-client';
import type { UsageOutcome, UsageRecord } from '../../storage/usage-port.ts';
import type { UpstreamErrorKind } from '../gateway/upstream-forwarder.ts';
import { BoundedCells, type CounterCell, CounterFamily, OTHER } from './counter-cells.ts';

/** Tenants come from the config, models from the price table, upstreams from gateway.upstreams: bounded. */
const MAX_TENANTS = 200;
const MAX_MODELS = 100;
const MAX_UPSTREAMS = 50;

/** Where the gateway reports what it metered and the upstream failures it met. */
export interface GatewayMetricsSink {
  usage(record: UsageRecord): void;
  upstreamError(upstream: string, kind: UpstreamErrorKind): void;
}

interface ModelCells {
  labels: { tenant: string; model: string };
  requests: Partial<Record<UsageOutcome, CounterCell>>;
  input: CounterCell;
  output: CounterCell;
  cacheCreation: CounterCell;
  cacheRead: CounterCell;
  costMicro: CounterCell;
}

interface UpstreamCells {
  upstream: string;
  kinds: Partial<Record<UpstreamErrorKind, CounterCell>>;
}

export class GatewayMetrics implements GatewayMetricsSink {
  readonly #requests: CounterFamily<'tenant' | 'model' | 'outcome'>;
  readonly #tokens: CounterFamily<'tenant' | 'model' | 'kind'>;
  readonly #cost: CounterFamily<'tenant' | 'model'>;
  readonly #errors: CounterFamily<'upstream' | 'kind'>;
  readonly #byTenant: BoundedCells<BoundedCells<ModelCells>>;
  readonly #byUpstream: BoundedCells<UpstreamCells>;

  constructor(registry: Registry) {
    this.#requests = new CounterFamily(registry, {
      name: 'llm_rules_gateway_requests_total',
      help: 'Gateway /v1/messages requests by tenant, priced model (other: not in the price table) and outcome.',
      labelNames: ['tenant', 'model', 'outcome'],
    });
    this.#tokens = new CounterFamily(registry, {
      name: 'llm_rules_gateway_tokens_total',
      help: 'Tokens metered by the gateway by tenant, model and kind (input, output, cache_creation, cache_read).',
      labelNames: ['tenant', 'model', 'kind'],
    });
    this.#cost = new CounterFamily(registry, {
      name: 'llm_rules_gateway_cost_usd_total',
      help: 'What the gateway charged in US dollars, by tenant and model.',
      labelNames: ['tenant', 'model'],
      divisor: 1_000_000,
    });
    this.#errors = new CounterFamily(registry, {
      name: 'llm_rules_gateway_upstream_errors_total',
      help: 'Failed upstream tries by upstream and kind, whether or not another try then succeeded.',
      labelNames: ['upstream', 'kind'],
    });
    this.#byTenant = new BoundedCells(
      MAX_TENANTS,
      (tenant) => new BoundedCells(MAX_MODELS, (model) => this.#modelCells(tenant, model)),
    );
    this.#byUpstream = new BoundedCells(MAX_UPSTREAMS, (upstream) => ({ upstream, kinds: {} }));
  }

  usage(record: UsageRecord): void {
    const cells = this.#byTenant.of(record.tenantId).of(record.pricedAs ?? OTHER);
    const outcome = record.outcome;
    let requests = cells.requests[outcome];
    if (!requests) {
      requests = this.#requests.cell({ ...cells.labels, outcome });
      cells.requests[outcome] = requests;
    }
    requests.value++;
    const tokens = record.tokens;
    cells.input.value += tokens.input;
    cells.output.value += tokens.output;
    cells.cacheCreation.value += tokens.cacheWrite5m + tokens.cacheWrite1h;
    cells.cacheRead.value += tokens.cacheRead;
    cells.costMicro.value += record.costMicro;
    if (outcome === 'cut') this.upstreamError(record.upstream, 'stream_cut');
    else if (outcome === 'malformed') this.upstreamError(record.upstream, 'malformed_stream');
  }

  upstreamError(upstream: string, kind: UpstreamErrorKind): void {
    const cells = this.#byUpstream.of(upstream);
    let cell = cells.kinds[kind];
    if (!cell) {
      cell = this.#errors.cell({ upstream: cells.upstream, kind });
      cells.kinds[kind] = cell;
    }
    cell.value++;
  }

  #modelCells(tenant: string, model: string): ModelCells {
    const labels = { tenant, model };
    const tokens = (kind: string) => this.#tokens.cell({ tenant, model, kind });
    return {
      labels,
      requests: {},
      input: tokens('input'),
      output: tokens('output'),
      cacheCreation: tokens('cache_creation'),
      cacheRead: tokens('cache_read'),
      costMicro: this.#cost.cell(labels),
    };
  }
}
