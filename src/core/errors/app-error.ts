// The one error hierarchy: every failure a user or client can see is an AppError, mapped once at the edge.

export type ErrorDetails = Record<string, unknown>;

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetails;
  /** Response headers the error needs (`retry-after`, a protocol's status headers). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    message: string,
    details: ErrorDetails = {},
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

/** A request or command argument is wrong; `field` names what to fix. */
export class ValidationError extends AppError {
  constructor(message: string, details: ErrorDetails & { field?: string } = {}) {
    super(400, 'invalid_request_error', message, details);
  }
}

export class AuthenticationError extends AppError {
  constructor(
    message = 'A valid API key is required (Authorization: Bearer llmr_… or x-api-key).',
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(401, 'authentication_error', message, {}, headers);
  }
}

/**
 * A credential that will never work again (revoked, expired, its owner deprovisioned): Claude Code asks
 * the developer to sign in at once instead of retrying for minutes (the gateway protocol's `x-should-retry`).
 */
export class CredentialEndedError extends AuthenticationError {
  constructor(message: string) {
    super(message, { 'x-should-retry': 'false' });
  }
}

export class PermissionError extends AppError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(403, 'permission_error', message, details);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string, where?: string) {
    super(404, 'not_found_error', `${what} '${id}' was not found${where ? ` in ${where}` : ''}.`, {
      [what]: id,
    });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(409, 'conflict_error', message, details);
  }
}

/** The `.claude/` config-as-code is invalid; details.problems lists every problem with its location. */
export class ConfigError extends AppError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(422, 'config_error', message, details);
  }
}
