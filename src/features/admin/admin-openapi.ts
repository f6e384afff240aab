// The OpenAPI 3.1 document of the admin API, generated from the same route declarations and zod schemas
// that validate requests: `GET /api/v1/openapi.json`.
import { z } from 'zod';
import { VERSION } from '../../version.ts';
import { type AnyAdminRoute, isWrite } from './admin-route.ts';

const ERROR = {
  type: 'object',
  required: ['type', 'error'],
  properties: {
    type: { const: 'error' },
    error: {
      type: 'object',
      required: ['type', 'message'],
      properties: { type: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
    },
  },
};

function schemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = schemaOf(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

export function adminOpenApi(routes: readonly AnyAdminRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {
      '200': {
        description: 'OK',
        content: {
          [route.contentType?.split(';')[0] ?? 'application/json']: { schema: schemaOf(route.response) },
        },
      },
      '400': {
        description: 'Invalid input; `error.details.field` names the field',
        content: { 'application/json': { schema: ERROR } },
      },
      '401': { description: 'No valid credential', content: { 'application/json': { schema: ERROR } } },
      '403': {
        description: 'The credential lacks the admin scope, or its principal the permission',
        content: { 'application/json': { schema: ERROR } },
      },
      '404': {
        description: 'Not found (another tenant is never found)',
        content: { 'application/json': { schema: ERROR } },
      },
    };
    for (const [status, description] of Object.entries(route.responses ?? {})) {
      responses[status] = { description, content: { 'application/json': { schema: ERROR } } };
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      summary: route.summary,
      tags: [route.tag],
      description: `Needs \`${route.permission}\` at the node it acts on, and a key with the ${isWrite(route) ? '`admin:write`' : '`admin:read` (or `admin:write`)'} scope.`,
      'x-permission': route.permission,
      parameters: [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schemaOf(route.body) } },
            },
          }
        : {}),
      responses,
      security: [{ apiKey: [] }],
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'LLM-RULES admin API',
      version: VERSION,
      description:
        'Tenants and org, users and groups, keys, budgets and approvals, bundles, decision simulation, audit.',
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An LLM-RULES API key with the admin:read or admin:write scope',
        },
      },
    },
    paths,
  };
}
