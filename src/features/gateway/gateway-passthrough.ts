// The gateway's routes that are forwarded but not metered: `count_tokens`, `GET /v1/models` (less the
// models this caller may not use) and `GET /api/oauth/usage` (the caller's spend against their caps).

import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Clock, systemClock } from '../../core/clock/clock.ts';
import { AppError } from '../../core/errors/app-error.ts';
import { modelAccess } from '../../core/models/model-access.ts';
import type { BudgetStore } from '../../storage/budget-port.ts';
import type { UsageStore } from '../../storage/usage-port.ts';
import type { ActiveBundle } from '../bundles/active-bundle.ts';
import type { CredentialAuthenticator } from '../keys/keys-service.ts';
import type { SpendLimits } from '../spend-limits/spend-limits.ts';
import type { ApprovedIncreases } from './budget-guard.ts';
import { clientResponseHeaders } from './forward-headers.ts';
import { type Caller, modelSubject, refuseDeniedModel, resolveCaller } from './gateway-caller.ts';
import type { PriceWarnings } from './gateway-prices.ts';
import { inspectMessagesRequest } from './messages-request.ts';
import { countedInputTokens } from './upstream-count-answer.ts';
import type { UpstreamAnswer } from './upstream-forwarder.ts';
import type { UpstreamSender } from './upstream-sender.ts';
import { usageReport } from './usage-report.ts';

export interface PassthroughDeps {
  credentials: CredentialAuthenticator;
  bundle: ActiveBundle;
  approvals: ApprovedIncreases;
  spendLimits: SpendLimits;
  budgetStore: BudgetStore;
  usageStore: UsageStore;
  /** Told why an upstream could not count a request (its message can name cloud accounts). */
  logger: PriceWarnings;
  clock?: Clock;
}

export class GatewayPassthrough {
  readonly #clock: Clock;

  constructor(
    private readonly deps: PassthroughDeps,
    private readonly sender: UpstreamSender,
  ) {
    this.#clock = deps.clock ?? systemClock;
  }

  /** `GET /api/oauth/usage`: the caller's spend against their caps, in dollars. */
  async usage(request: FastifyRequest): Promise<Record<string, unknown>> {
    const caller = await resolveCaller(this.deps, request.headers);
    return usageReport(
      {
        budgets: this.deps.budgetStore,
        usage: this.deps.usageStore,
        approvals: this.deps.approvals,
        configs: await this.deps.spendLimits.budgets(caller.content, caller.who.tenantId),
      },
      caller,
      this.#clock.now(),
    );
  }

  /** `GET /v1/models` and `/v1/models/{id}`: the upstream's list, less the models this caller may not use. */
  async models(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const caller = await resolveCaller(this.deps, request.headers);
    const rules = caller.config.gateway.models;
    if (rules.length === 0) return this.#forward(caller, request, reply, undefined);
    const who = modelSubject(caller.who);
    const id = (request.params as { id?: string }).id;
    if (id !== undefined && !modelAccess(rules, who, id).allowed) {
      throw new AppError(404, 'not_found_error', `model: ${id}`);
    }
    const { response } = await this.sender.send(
      this.sender.upstreamsFor(caller),
      request,
      reply.raw,
      undefined,
    );
    const text = await response.body.text();
    if (response.statusCode !== 200 || id !== undefined) {
      return reply.status(response.statusCode).headers(clientResponseHeaders(response.headers)).send(text);
    }
    const list = JSON.parse(text) as { data?: { id: string }[] } & Record<string, unknown>;
    const data = (list.data ?? []).filter((model) => modelAccess(rules, who, model.id).allowed);
    return reply.status(200).send({
      ...list,
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
    });
  }

  /**
   * `count_tokens`: authenticated, its model held to the caller's allowlist as on /v1/messages (a count
   * tells what a denied model would be sent), forwarded and relayed, not metered. An upstream that counts
   * its own way (Bedrock's CountTokens, Vertex's count-tokens) has its answer read by its provider and
   * sent in the Anthropic API's shape.
   */
  async passthrough(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const caller = await resolveCaller(this.deps, request.headers);
    const raw = request.body instanceof Buffer ? request.body : Buffer.alloc(0);
    refuseDeniedModel(caller, inspectMessagesRequest(raw).model);
    const upstreams = this.sender.upstreamsFor(caller);
    const { response, upstream } = await this.sender.send(upstreams, request, reply.raw, raw);
    const read = upstream.provider.readCount;
    if (!read) return relay(reply, response);
    const context = { upstream: upstream.name, requestId: request.id };
    const inputTokens = await countedInputTokens(read, response, this.deps.logger, context);
    return reply.status(200).send({ input_tokens: inputTokens });
  }

  /** Forwarded and relayed as the upstream answered. */
  async #forward(
    caller: Caller,
    request: FastifyRequest,
    reply: FastifyReply,
    raw: Buffer | undefined,
  ): Promise<FastifyReply> {
    const { response } = await this.sender.send(this.sender.upstreamsFor(caller), request, reply.raw, raw);
    return relay(reply, response);
  }
}

function relay(reply: FastifyReply, response: UpstreamAnswer<Readable>): FastifyReply {
  return reply
    .status(response.statusCode)
    .headers(clientResponseHeaders(response.headers))
    .send(response.body);
}
