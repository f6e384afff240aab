// The gateway's request path: who is calling, what they ask for, forwarding to the upstream, relaying
// the answer as it comes, and metering it afterwards. Metering never holds back or changes the bytes.

import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MainConfig, PolicyConfig } from '../../config/policy-config.ts';
import { type Clock, systemClock } from '../../core/clock/clock.ts';
import { AppError, AuthenticationError, ValidationError } from '../../core/errors/app-error.ts';
import { costMicroDollars, NO_TOKENS } from '../../core/pricing/usage-cost.ts';
import { presentedCredential } from '../../http/presented-credential.ts';
import type { UsageOutcome, UsageRecord } from '../../storage/usage-port.ts';
import type { ActiveBundle } from '../bundles/active-bundle.ts';
import { tenantConfig } from '../bundles/tenant-config.ts';
import type { AuthenticatedKey, KeysService } from '../keys/keys-service.ts';
import { clientResponseHeaders } from './forward-headers.ts';
import { GatewayPrices, type PriceWarnings } from './gateway-prices.ts';
import { inspectMessagesRequest, type MessagesRequest } from './messages-request.ts';
import type { UsageRecorder } from './metering/usage-recorder.ts';
import type { Upstream, UpstreamRegistry } from './upstream-registry.ts';
import { type RelayResult, relayUpstreamBody } from './upstream-relay.ts';

export interface GatewayDeps {
  keys: KeysService;
  bundle: ActiveBundle;
  upstreams: UpstreamRegistry;
  usage: UsageRecorder;
  logger: PriceWarnings;
  clock?: Clock;
}

interface Caller {
  who: AuthenticatedKey;
  content: PolicyConfig;
  config: MainConfig;
}

const header = (request: FastifyRequest, name: string): string | null => {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : null;
};

export class GatewayProxy {
  readonly #deps: GatewayDeps;
  readonly #clock: Clock;
  readonly #prices = new WeakMap<PolicyConfig, GatewayPrices>();

  constructor(deps: GatewayDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
  }

  /** `POST /v1/messages`: forwarded, relayed and metered. */
  async messages(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const started = performance.now();
    const at = this.#clock.now();
    const caller = await this.#caller(request);
    const raw = this.#body(request);
    const inspected = inspectMessagesRequest(raw);
    const limit = caller.config.limits.max_context_tokens;
    if (inspected.estimatedInputTokens > limit) {
      throw new ValidationError(
        `The request carries about ${inspected.estimatedInputTokens} input tokens, more than limits.max_context_tokens (${limit}) allows; start a new session or compact this one (/compact).`,
        { field: 'messages', limit: 'limits.max_context_tokens' },
      );
    }
    const upstream = this.#upstream(caller);
    const sent = await this.#send(upstream, request, reply, raw);
    const ttfbMs = performance.now() - started;
    const { statusCode, headers, body } = sent.response;
    const stream = String(headers['content-type'] ?? '').includes('text/event-stream');
    const relay = relayUpstreamBody(body, stream, () => sent.controller.signal.aborted);
    void relay.result.then((result) =>
      this.#meter({
        caller,
        request,
        upstream,
        inspected,
        at,
        started,
        ttfbMs,
        statusCode,
        stream,
        result,
        aborted: sent.controller.signal.aborted,
      }),
    );
    return reply.status(statusCode).headers(clientResponseHeaders(headers)).send(relay.body);
  }

  /** `count_tokens` and `GET /v1/models`: authenticated, forwarded and relayed, not metered. */
  async passthrough(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const caller = await this.#caller(request);
    const upstream = this.#upstream(caller);
    const raw = request.body instanceof Buffer ? request.body : undefined;
    const { response } = await this.#send(upstream, request, reply, raw);
    return reply
      .status(response.statusCode)
      .headers(clientResponseHeaders(response.headers))
      .send(response.body);
  }

  async #caller(request: FastifyRequest): Promise<Caller> {
    const credential = presentedCredential(request.headers);
    if (!credential) {
      throw new AuthenticationError(
        'No credential was sent: set ANTHROPIC_API_KEY (x-api-key) or ANTHROPIC_AUTH_TOKEN (Bearer) to your LLM-RULES key.',
      );
    }
    const who = await this.#deps.keys.authenticate(credential);
    const loaded = this.#deps.bundle.current();
    const config = loaded ? tenantConfig(loaded.content, who.tenantId) : undefined;
    if (!loaded || !config) {
      throw new AppError(
        503,
        'api_error',
        `No policy is active for tenant '${who.tenantId}'; the gateway forwards nothing until one is applied.`,
      );
    }
    return { who, content: loaded.content, config };
  }

  #body(request: FastifyRequest): Buffer {
    if (!(request.body instanceof Buffer) || request.body.length === 0) {
      throw new ValidationError('The request has no body; the Messages API takes a JSON object.');
    }
    return request.body;
  }

  #upstream(caller: Caller): Upstream {
    // Upstreams and prices are the organisation's (root config.yaml), the same for every tenant.
    const [first] = this.#deps.upstreams.upstreams(caller.content.config.gateway);
    if (!first)
      throw new AppError(503, 'api_error', 'No gateway upstream is configured (gateway.upstreams).');
    return first;
  }

  async #send(upstream: Upstream, request: FastifyRequest, reply: FastifyReply, raw: Buffer | undefined) {
    const controller = new AbortController();
    // The client's abort (its connection closing before the answer is complete) cancels the upstream request.
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort();
    });
    const outgoing = upstream.provider.buildRequest({
      basePath: upstream.basePath,
      path: request.url,
      method: request.method,
      headers: request.headers,
      body: raw,
      apiKey: upstream.apiKey(),
    });
    try {
      const response = await upstream.pool.request({
        path: outgoing.path,
        method: outgoing.method as 'POST',
        headers: outgoing.headers,
        ...(outgoing.body ? { body: outgoing.body } : {}),
        signal: controller.signal,
      });
      return { response, controller };
    } catch (error) {
      if (controller.signal.aborted)
        throw new AppError(499, 'client_closed_request', 'The client closed the request.');
      throw new AppError(
        502,
        'api_error',
        `The upstream "${upstream.name}" could not be reached: ${(error as Error).message}`,
        {
          upstream: upstream.name,
        },
      );
    }
  }

  #meter(m: {
    caller: Caller;
    request: FastifyRequest;
    upstream: Upstream;
    inspected: MessagesRequest;
    at: Date;
    started: number;
    ttfbMs: number;
    statusCode: number;
    stream: boolean;
    result: RelayResult;
    aborted: boolean;
  }): void {
    const { caller, result, statusCode } = m;
    const outcome: UsageOutcome =
      statusCode >= 400
        ? 'upstream_error'
        : m.aborted
          ? 'aborted'
          : result.malformed
            ? 'malformed'
            : result.cut || (m.stream && !result.complete)
              ? 'cut'
              : 'complete';
    // Errors are not billed; an accepted request whose usage never arrived is billed its estimated input.
    const tokens = statusCode >= 400 ? { ...NO_TOKENS } : { ...result.usage };
    if (
      statusCode < 400 &&
      tokens.input === 0 &&
      tokens.cacheRead === 0 &&
      tokens.cacheWrite5m === 0 &&
      !result.complete
    ) {
      tokens.input = m.inspected.estimatedInputTokens;
    }
    const model = result.model ?? m.inspected.model;
    const prices = this.#pricesFor(caller.content);
    const priced = prices.priceOf(model);
    const profile = caller.who.profile;
    const record: UsageRecord = {
      tenantId: caller.who.tenantId,
      requestId: randomUUID(),
      at: m.at,
      principal: caller.who.principal,
      keyId: caller.who.keyId,
      businessUnitId: 'businessUnitId' in profile ? profile.businessUnitId : null,
      teamId: profile.teamId,
      sessionId: header(m.request, 'x-claude-code-session-id'),
      agentId: header(m.request, 'x-claude-code-agent-id'),
      model,
      upstream: m.upstream.name,
      status: statusCode,
      outcome,
      stream: m.stream,
      tokens,
      costMicro: costMicroDollars(tokens, priced.price),
      pricedAs: priced.key ?? null,
      priceVersion: prices.version,
      latencyMs: performance.now() - m.started,
      ttfbMs: m.ttfbMs,
    };
    this.#deps.usage.record(record);
  }

  #pricesFor(content: PolicyConfig): GatewayPrices {
    let prices = this.#prices.get(content);
    if (!prices) {
      prices = new GatewayPrices(content.config.gateway, this.#deps.logger);
      this.#prices.set(content, prices);
    }
    return prices;
  }
}
