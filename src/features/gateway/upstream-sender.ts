// Sends a client's request to the active bundle's upstreams (failover order, retries: upstream-forwarder.ts),
// cancelling it when the client's connection closes first. Shared by the metered route and the others.

import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { AppError } from '../../core/errors/app-error.ts';
import type { Caller } from './gateway-caller.ts';
import { UpstreamCancel } from './upstream-cancel.ts';
import {
  AS_READABLE,
  type Forwarded,
  type ForwardedRequest,
  forwardToUpstreams,
  type SendWay,
  type UpstreamErrorListener,
} from './upstream-forwarder.ts';
import type { Upstream, UpstreamRegistry } from './upstream-registry.ts';

export type Sent<Body> = Forwarded<Body> & { controller: UpstreamCancel };

export class UpstreamSender {
  constructor(
    private readonly registry: UpstreamRegistry,
    private readonly onUpstreamError?: UpstreamErrorListener,
  ) {}

  /** In failover order. Upstreams and prices are the organisation's (root config.yaml), not a tenant's. */
  upstreamsFor(caller: Caller): Upstream[] {
    const upstreams = this.registry.upstreams(caller.content.config.gateway);
    if (upstreams.length === 0)
      throw new AppError(503, 'api_error', 'No gateway upstream is configured (gateway.upstreams).');
    return upstreams;
  }

  /** Forwards with retries and failover; the client's abort (its connection closing first) cancels it. */
  async send<Body = Dispatcher.ResponseData['body']>(
    upstreams: Upstream[],
    request: ForwardedRequest,
    res: ServerResponse,
    raw: Buffer | undefined,
    controller = cancelOnClose(res),
    way: SendWay<Body> = AS_READABLE as unknown as SendWay<Body>,
  ): Promise<Sent<Body>> {
    const { response, upstream } = await this.forward(upstreams, request, res, raw, controller, way);
    return { response, upstream, controller };
  }

  /** `send` for a caller that keeps `controller` itself: one promise and frame fewer a request. */
  forward<Body>(
    upstreams: Upstream[],
    request: ForwardedRequest,
    res: ServerResponse,
    raw: Buffer | undefined,
    controller: UpstreamCancel,
    way: SendWay<Body>,
  ): Promise<Forwarded<Body>> {
    // The response (or its socket) already gone: the client left before anything was sent upstream.
    if (res.destroyed || res.socket?.destroyed) controller.abort();
    return forwardToUpstreams(upstreams, request, raw, controller, this.onUpstreamError, way);
  }
}

/** Cancelled when the client's connection closes before its answer was written. */
export function cancelOnClose(res: ServerResponse): UpstreamCancel {
  const controller = new UpstreamCancel();
  // `on`, not `once`: a response closes once, and `once` wraps each listener in one more closure.
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller;
}
