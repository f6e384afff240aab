// One declaration per admin API route: its method and path, the zod schemas of its input and answer
// (from which requests are validated and the OpenAPI document is generated, so the two cannot
// disagree), the permission it needs, and the org node it acts on. The registry enforces, in order:
// an admin-scoped credential (admin:write for changes), the tenant in the path being the caller's own
// (any other answers 404: nothing crosses a tenant, not even whether it exists), the permission at the
// node, then the input schemas; a change is an `admin_action` audit event with what it changed.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { OrgRef } from '../../config/policy-config.ts';
import { AppError, ValidationError } from '../../core/errors/app-error.ts';
import type { AdminCaller } from './admin-caller.ts';

export type Method = 'GET' | 'POST' | 'DELETE';

export interface AdminContext<P, Q, B> {
  caller: AdminCaller;
  tenantId: string;
  params: P;
  query: Q;
  body: B;
  request: FastifyRequest;
}

/** What a change did, for its audit event. */
export interface AdminChange<R> {
  answer: R;
  /** The `admin_action` event's `action` and what it acted on. */
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  /** Something new was made: 201. */
  created?: boolean;
}

export interface AdminRouteSpec<P, Q, B, R> {
  method: Method;
  /** OpenAPI form: `/api/v1/tenants/{tenant}/keys`. */
  path: string;
  summary: string;
  tag: string;
  permission: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  response: z.ZodType<R>;
  /** The answer's media type when it is not JSON (the answer is then sent as the string it is). */
  contentType?: string;
  /** Extra statuses this route may answer (beyond 400, 401, 403, 404). */
  responses?: Record<number, string>;
  /**
   * `filtered`: the caller needs the permission somewhere, and the handler answers only with what lies
   * under the nodes where they have it (a list across the org).
   */
  scope?: 'node' | 'filtered';
  /** The node acted on; the tenant when absent. A route that needs to look something up may be async. */
  target?(ctx: AdminContext<P, Q, B>): OrgRef | Promise<OrgRef>;
  /** Reads answer; changes answer with what they changed (recorded), through `change`. */
  handle(ctx: AdminContext<P, Q, B>): Promise<R | AdminChange<R>>;
}

// biome-ignore lint/suspicious/noExplicitAny: routes of every shape share one list.
export type AnyAdminRoute = AdminRouteSpec<any, any, any, any>;

export function adminRoute<P = Record<string, never>, Q = Record<string, never>, B = undefined, R = unknown>(
  spec: AdminRouteSpec<P, Q, B, R>,
): AdminRouteSpec<P, Q, B, R> {
  return spec;
}

export const isWrite = (route: AnyAdminRoute) => route.method !== 'GET';

export function isChange<R>(value: R | AdminChange<R>): value is AdminChange<R> {
  return (
    typeof value === 'object' && value !== null && 'action' in value && 'answer' in value && 'target' in value
  );
}

/** Input parsed by its schema; a failure names the field, as every API error here does. */
export function parseInput<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = [where, ...issue.path.map(String)].join('.');
  throw new ValidationError(`${field}: ${issue.message}`, { field });
}

export interface AdminRouteHooks {
  authenticate(request: FastifyRequest, write: boolean): Promise<AdminCaller>;
  authorize(caller: AdminCaller, permission: string, target: OrgRef | 'anywhere'): void;
  record(caller: AdminCaller, change: AdminChange<unknown>): Promise<void>;
}

export function registerAdminRoutes(
  app: FastifyInstance,
  routes: readonly AnyAdminRoute[],
  hooks: AdminRouteHooks,
): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.path.replace(/\{(\w+)\}/g, ':$1'),
      handler: async (request, reply) => {
        const caller = await hooks.authenticate(request, isWrite(route));
        const rawParams = request.params as Record<string, string>;
        const tenantId = rawParams.tenant ?? caller.tenantId;
        // Another tenant is answered as if it did not exist.
        if (tenantId !== caller.tenantId)
          throw new AppError(404, 'not_found_error', `tenant '${tenantId}' was not found.`);
        const ctx: AdminContext<unknown, unknown, unknown> = {
          caller,
          tenantId,
          params: parseInput(route.params, rawParams, 'path'),
          query: parseInput(route.query, request.query, 'query'),
          body: route.body ? parseInput(route.body, request.body, 'body') : undefined,
          request,
        };
        hooks.authorize(
          caller,
          route.permission,
          route.scope === 'filtered' ? 'anywhere' : ((await route.target?.(ctx)) ?? { level: 'tenant' }),
        );
        const result = await route.handle(ctx);
        if (isChange(result)) {
          await hooks.record(caller, result);
          return reply.status(result.created ? 201 : 200).send(result.answer);
        }
        return route.contentType ? reply.type(route.contentType).send(result) : reply.send(result);
      },
    });
  }
}
