// The gateway's request path: who is calling, what they ask for, forwarding to the upstream, relaying
// the answer as it comes, and metering it afterwards. Metering never holds back or changes the bytes.

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BudgetConfig, PolicyConfig } from '../../config/policy-config.ts';
import { type Clock, systemClock } from '../../core/clock/clock.ts';
import { AppError, ValidationError } from '../../core/errors/app-error.ts';
import { totalTokens } from '../../core/pricing/usage-cost.ts';
import { type RawExchange, readBody } from '../../http/raw-routes.ts';
import { timeOrderedId } from '../../http/time-ordered-id.ts';
import type { BudgetStore } from '../../storage/budget-port.ts';
import type { UsageStore } from '../../storage/usage-port.ts';
import type { ActiveBundle } from '../bundles/active-bundle.ts';
import type { AuthenticatedKey, CredentialAuthenticator } from '../keys/keys-service.ts';
import type { MachineReports } from '../managed-settings/machine-reports.ts';
import type { SpendLimits } from '../spend-limits/spend-limits.ts';
import type { Admission, AdmissionRequest, ApprovedIncreases, BudgetGuard } from './budget-guard.ts';
import { budgetSubject, worstCaseMicro } from './budget-request.ts';
import { DispatchedAnswer, type RelaySource } from './dispatched-answer.ts';
import { copyClientResponseHeaders } from './forward-headers.ts';
import { type Caller, refuseDeniedModel, resolveCaller, resolveCallerNow } from './gateway-caller.ts';
import { GatewayPassthrough } from './gateway-passthrough.ts';
import { GatewayPrices, type PriceWarnings } from './gateway-prices.ts';
import { inspectMessagesRequest, type MessagesRequest } from './messages-request.ts';
import {
  attributionOf,
  meteredUsage,
  type RequestFacts,
  unansweredUsage,
} from './metering/usage-record-of.ts';
import type { UsageRecorder } from './metering/usage-recorder.ts';
import { NO_LIMITS, type Permit, type RateLimiter, type RateSubject } from './rate-limits/rate-limiter.ts';
import type { SessionQuota } from './session-quota.ts';
import { translatedErrorAnswer } from './upstream-error-answer.ts';
import {
  AS_DISPATCHED,
  type Forwarded,
  type ForwardedRequest,
  type MessagesBody,
  type UpstreamErrorListener,
} from './upstream-forwarder.ts';
import type { UpstreamRegistry } from './upstream-registry.ts';
import { readableSource, relayUpstreamBody } from './upstream-relay.ts';
import { cancelOnClose, UpstreamSender } from './upstream-sender.ts';

export interface GatewayDeps {
  credentials: CredentialAuthenticator;
  bundle: ActiveBundle;
  upstreams: UpstreamRegistry;
  usage: UsageRecorder;
  budgets: BudgetGuard;
  approvals: ApprovedIncreases;
  spendLimits: SpendLimits;
  rateLimits: RateLimiter;
  budgetStore: BudgetStore;
  usageStore: UsageStore;
  logger: PriceWarnings & { error(obj: object, msg: string): void };
  clock?: Clock;
  /** gateway.max_request_bytes of the bundle active at start. */
  bodyLimit: number;
  /** Told which managed settings each session runs under (the protocol's hint header). */
  machineReports?: MachineReports;
  /** limits.max_sessions_per_day for requests that name their Claude Code session; unchecked when unset. */
  sessionQuota?: SessionQuota;
  /** Told of every failed try at an upstream (the Prometheus metrics). */
  onUpstreamError?: UpstreamErrorListener;
}

export class GatewayProxy {
  readonly #deps: GatewayDeps;
  readonly #clock: Clock;
  readonly #prices = new WeakMap<PolicyConfig, GatewayPrices>();
  readonly #bodyLimit: number;
  readonly #sender: UpstreamSender;
  readonly #unmetered: GatewayPassthrough;

  constructor(deps: GatewayDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
    this.#bodyLimit = deps.bodyLimit;
    this.#sender = new UpstreamSender(deps.upstreams, deps.onUpstreamError);
    this.#unmetered = new GatewayPassthrough(deps, this.#sender);
  }

  /**
   * `POST /v1/messages` (a raw route: see src/http/raw-routes.ts): forwarded, relayed straight to the
   * client's socket, and metered.
   */
  async messages(exchange: RawExchange): Promise<void> {
    const { req, res } = exchange;
    const started = performance.now();
    // Watches for the client leaving from the start, so a request abandoned while it waited for its
    // budget reservation is never forwarded.
    const controller = cancelOnClose(res);
    const at = this.#clock.now();
    const raw = await readBody(req, this.#bodyLimit, 'gateway.max_request_bytes');
    // A session's requests after its first find the caller verified and the budgets in memory: those are
    // answered without waiting (the *Now calls), which is most of what the gateway adds to a request.
    const caller =
      resolveCallerNow(this.#deps, req.headers) ?? (await resolveCaller(this.#deps, req.headers));
    this.#reportSession(caller, req.headers, at);
    if (raw.length === 0) {
      throw new ValidationError('The request has no body; the Messages API takes a JSON object.');
    }
    const inspected = inspectMessagesRequest(raw);
    const upstreams = this.#sender.upstreamsFor(caller);
    const prices = this.#pricesFor(caller.content);
    const facts: RequestFacts = {
      attribution: attributionOf(caller.who, req.headers),
      // The id the answer carries in x-request-id, when the server made it, so the two can be matched; a
      // client's own id is not trusted to be unique, so its request gets one of ours.
      requestId: exchange.requestIdIsOurs ? exchange.requestId : timeOrderedId(),
      at,
      started,
      upstream: upstreams[0]!.name,
      request: inspected,
      prices,
    };
    const tenantId = caller.who.tenantId;
    let permit: Permit;
    let admission: Admission;
    try {
      checkRequest(caller, inspected);
      ({ permit, admission } = this.#admitNow(caller, facts) ?? (await this.#admit(caller, facts)));
    } catch (error) {
      // A refusal is a request too: it is recorded, with nothing billed.
      if (error instanceof AppError) this.#deps.usage.record(unansweredUsage(facts, error.status));
      throw error;
    }
    // Money first: the budget settles whatever happens to the rate-limit counters, and nothing here throws.
    const settle = (actualMicro: number, tokens: number): Promise<void> | undefined => {
      const settlement = {
        tenantId,
        requestId: facts.requestId,
        admission,
        actualMicro,
        now: this.#clock.now(),
        user: caller.who.principal.id,
      };
      const budgets = this.#deps.budgets;
      if (budgets.settleNow(settlement))
        return permit === NO_LIMITS ? undefined : this.#finish(permit, tokens);
      return budgets.settle(settlement).then(() => this.#finish(permit, tokens));
    };
    let sent: Forwarded<MessagesBody>;
    try {
      sent = await this.#sender.forward(upstreams, forwardedOf(req), res, raw, controller, AS_DISPATCHED);
    } catch (error) {
      // No upstream answered, the client left first, or the request was ours to refuse (a body an
      // upstream's provider could not rewrite): a record with nothing billed.
      const status = error instanceof AppError ? error.status : 502;
      const outcome = status === 499 ? 'aborted' : status < 500 ? 'refused' : 'upstream_error';
      this.#deps.usage.record(unansweredUsage(facts, status, outcome));
      await settle(0, 0);
      throw error;
    }
    const ttfbMs = performance.now() - started;
    facts.upstream = sent.upstream.name;
    let { statusCode } = sent.response;
    const answered = sent.response.body;
    let headers = sent.response.headers;
    let source: RelaySource;
    let translated = false;
    if (answered instanceof DispatchedAnswer) source = answered;
    else {
      // An upstream with its own answer format (Bedrock's event stream) is translated before relaying.
      const translate = statusCode < 400 ? sent.upstream.provider.translateResponse : undefined;
      const body = translate
        ? translate({ headers, body: answered }, (upstreamMessage) =>
            this.#deps.logger.warn(
              { upstream: facts.upstream, requestId: facts.requestId, upstreamMessage },
              'the upstream ended its stream with an error',
            ),
          )
        : { headers, body: answered };
      headers = body.headers;
      source = readableSource(body.body);
      translated = Boolean(translate);
    }
    // A cloud upstream's error can name the organisation's accounts: its provider rewrites it (cloud-errors.ts).
    const translateError = statusCode >= 400 ? sent.upstream.provider.translateError : undefined;
    if (translateError) {
      const context = { upstream: facts.upstream, requestId: facts.requestId };
      const answer = { statusCode, headers, source };
      ({ statusCode, headers, source } = await translatedErrorAnswer(
        translateError,
        answer,
        this.#deps.logger,
        context,
      ));
      translated = true;
    }
    const stream = String(headers['content-type'] ?? '').includes('text/event-stream');
    // Built in one object (spreading four into one cost more than the rest of the head).
    const head = exchange.baseHeaders();
    copyClientResponseHeaders(headers, head);
    // A body relayed unchanged keeps the upstream's length, so it goes out in one write with its headers
    // rather than chunked (a terminating chunk is one more write a request).
    const length = !translated && !stream ? headers['content-length'] : undefined;
    if (typeof length === 'string') head['content-length'] = length;
    // The caller's standing against their caps rides on every successful answer.
    if (statusCode < 400) Object.assign(head, admission.headers);
    res.writeHead(statusCode, head);
    const result = relayUpstreamBody(source, res, stream, () => controller.aborted);
    void result
      .then((result) => {
        const aborted = controller.aborted;
        const record = meteredUsage(facts, { statusCode, stream, result, aborted, ttfbMs });
        this.#deps.usage.record(record);
        return settle(record.costMicro, totalTokens(record.tokens));
      })
      .catch((error: unknown) =>
        this.#deps.logger.error({ err: error }, 'metering a gateway request failed'),
      );
  }

  /** The managed-settings checksum the session reports (none from older clients), for `machines --stale`. */
  #reportSession(caller: Caller, headers: IncomingHttpHeaders, at: Date): void {
    const sessionId = headers['x-claude-code-session-id'];
    if (!this.#deps.machineReports || typeof sessionId !== 'string' || sessionId === '') return;
    const checksum = headers['x-claude-code-managed-settings-checksum'];
    const agent = headers['user-agent'];
    this.#deps.machineReports.seen({
      tenantId: caller.who.tenantId,
      sessionId: sessionId.slice(0, 128),
      principalId: caller.who.principal.id,
      checksum: typeof checksum === 'string' && checksum !== '' ? checksum.slice(0, 128) : null,
      userAgent: typeof agent === 'string' ? agent.slice(0, 200) : null,
      at,
    });
  }

  /**
   * The rate limits and the budgets without waiting, when neither needs the store (see admitNow in each);
   * undefined, with nothing taken, sends the request to #admit.
   */
  #admitNow(caller: Caller, facts: RequestFacts): { permit: Permit; admission: Admission } | undefined {
    const quota = this.#deps.sessionQuota;
    if (quota && !quota.knownNow(caller.who.tenantId, facts.attribution.sessionId)) return undefined;
    const permit = this.#deps.rateLimits.admitNow(caller.config.gateway.rate_limits);
    if (!permit) return undefined;
    const budgets = this.#deps.spendLimits.budgetsNow(caller.content, caller.who.tenantId);
    if (!budgets) return undefined;
    const admission = this.#deps.budgets.admitNow(admissionRequest(caller, facts, budgets));
    return admission && { permit, admission };
  }

  /**
   * The day's sessions, the rate limits, then the budgets. A request the budgets refuse gives its
   * rate-limit slots back.
   */
  async #admit(caller: Caller, facts: RequestFacts): Promise<{ permit: Permit; admission: Admission }> {
    const inspected = facts.request;
    const sessionId = facts.attribution.sessionId;
    const quota = this.#deps.sessionQuota;
    const failOpen = failsOpen(caller);
    if (quota && sessionId !== null && !quota.knownNow(caller.who.tenantId, sessionId)) {
      try {
        await quota.admit(
          caller.who.tenantId,
          sessionId,
          caller.who.principal,
          caller.config.limits.max_sessions_per_day,
        );
      } catch (error) {
        // The day's sessions are counted in the store the budgets live in: unreachable, the request is
        // refused or let through as the budgets say (unavailable throws unless failing open).
        if (error instanceof AppError) throw error;
        this.#deps.budgets.unavailable(error, failOpen);
      }
    }
    const permit = await this.#deps.rateLimits.admit(
      caller.config.gateway.rate_limits,
      rateSubject(caller.who),
      inspected.estimatedInputTokens,
      Date.now(),
    );
    try {
      let budgets: BudgetConfig[];
      try {
        budgets = await this.#deps.spendLimits.budgets(caller.content, caller.who.tenantId);
      } catch (error) {
        // The spend limits live beside the counters: unreadable, the budgets are unknown.
        if (error instanceof AppError) throw error;
        return { permit, admission: this.#deps.budgets.unavailable(error, failOpen) };
      }
      const admission = await this.#deps.budgets.admit(admissionRequest(caller, facts, budgets));
      return { permit, admission };
    } catch (error) {
      await this.#finish(permit, 0);
      throw error;
    }
  }

  /** `GET /api/oauth/usage` (gateway-passthrough.ts). */
  usage(request: FastifyRequest): Promise<Record<string, unknown>> {
    return this.#unmetered.usage(request);
  }

  /** `GET /v1/models` and `/v1/models/{id}` (gateway-passthrough.ts). */
  models(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    return this.#unmetered.models(request, reply);
  }

  /** `count_tokens` (gateway-passthrough.ts). */
  passthrough(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    return this.#unmetered.passthrough(request, reply);
  }

  /** Rate-limit counters are best effort once the request is over: a Redis error is logged, not thrown. */
  async #finish(permit: Permit, tokens: number): Promise<void> {
    try {
      await permit.finish(tokens);
    } catch (error) {
      this.#deps.logger.error({ err: error }, 'could not update rate-limit counters after a request');
    }
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

/** What refuses a request before any counter is touched, in order: the context limit, then the model rules. */
function checkRequest(caller: Caller, inspected: MessagesRequest): void {
  const limit = caller.config.limits.max_context_tokens;
  if (inspected.estimatedInputTokens > limit) {
    throw new ValidationError(
      `The request carries about ${inspected.estimatedInputTokens} input tokens, more than limits.max_context_tokens (${limit}) allows; start a new session or compact this one (/compact).`,
      { field: 'messages', limit: 'limits.max_context_tokens' },
    );
  }
  // The gateway protocol asks for 400 invalid_request_error on a denied model (Claude Code shows its message).
  refuseDeniedModel(caller, inspected.model);
}

/** gateway.budgets_unavailable: whether a request whose budgets cannot be read is forwarded with none. */
function failsOpen(caller: Caller): boolean {
  return caller.config.gateway.budgets_unavailable === 'fail_open';
}

/** What the budgets are asked, the same whether they answer at once (admitNow) or after the store (admit). */
function admissionRequest(
  caller: Caller,
  facts: RequestFacts,
  budgets: AdmissionRequest['budgets'],
): AdmissionRequest {
  const inspected = facts.request;
  return {
    tenantId: caller.who.tenantId,
    requestId: facts.requestId,
    budgets,
    who: budgetSubject(caller.who),
    worstCaseMicro: worstCaseMicro(inspected, facts.prices.priceOf(inspected.model).price),
    now: facts.at,
    failOpen: failsOpen(caller),
  };
}

function rateSubject(who: AuthenticatedKey): RateSubject {
  return {
    tenantId: who.tenantId,
    keyId: who.keyId,
    principal: `${who.principal.type}:${who.principal.id}`,
    teamId: who.profile.teamId,
  };
}

function forwardedOf(req: IncomingMessage): ForwardedRequest {
  return { url: req.url ?? '/', method: req.method ?? 'POST', headers: req.headers };
}
