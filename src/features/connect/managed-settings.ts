// The Claude Code managed settings that connect a developer machine to this server: every hook
// event goes to the server over HTTP and blocks when the server cannot answer; model calls and
// telemetry go to the server; enforced file denies are mirrored into `permissions.deny`.
import { HOOK_EVENTS } from '../hooks/hook-input.ts';
import { HOOK_PATH } from '../hooks/hook-path.ts';
import { sessionStartCommand } from './session-start-command.ts';

export interface ConnectOptions {
  serverUrl: string;
  /** The environment variable holding the developer's token on their machine. */
  tokenVariable: string;
  /** Where model calls go; null leaves ANTHROPIC_BASE_URL alone. */
  gatewayUrl: string | null;
  /** Claude Code permission rules to deny locally as well (defence in depth). */
  denyMirror: string[];
  /** Seconds Claude Code waits for the server per hook call. */
  hookTimeoutSeconds?: number;
}

const TOOL_EVENTS = new Set(['PreToolUse', 'PermissionRequest', 'PostToolUse', 'PostToolUseFailure']);

/** How hooks prove who they are: a token from the developer's environment, or one written into the settings. */
export type HookAuth = { tokenVariable: string } | { token: string };

/**
 * Every hook event to the server over HTTP, blocking when the server cannot answer (enforcement fails
 * closed). SessionStart is the exception: Claude Code runs only command hooks there (HTTP ones are
 * ignored, verified with 2.1.330), so it posts the same JSON through curl, with the project it works in
 * (for the rules it receives); it cannot block a session anyway, and enforcement rests on the tool-call
 * hooks.
 */
export function hookSettings(
  serverUrl: string,
  auth: HookAuth,
  timeoutSeconds = 10,
): Record<string, unknown[]> {
  const server = serverUrl.replace(/\/+$/, '');
  const bearer = 'token' in auth ? auth.token : `$${auth.tokenVariable}`;
  const hook = {
    type: 'http',
    url: `${server}${HOOK_PATH}`,
    headers: { Authorization: `Bearer ${bearer}` },
    ...('tokenVariable' in auth ? { allowedEnvVars: [auth.tokenVariable] } : {}),
    timeout: timeoutSeconds,
    onFailure: 'block',
  };
  const sessionStartHook = {
    type: 'command',
    command: sessionStartCommand(hook.url, bearer, timeoutSeconds),
    timeout: timeoutSeconds,
  };
  const hooks: Record<string, unknown[]> = {};
  for (const event of HOOK_EVENTS) {
    const handler = event === 'SessionStart' ? sessionStartHook : hook;
    hooks[event] = [TOOL_EVENTS.has(event) ? { matcher: '*', hooks: [handler] } : { hooks: [handler] }];
  }
  return hooks;
}

export function managedSettings(options: ConnectOptions): Record<string, unknown> {
  const server = options.serverUrl.replace(/\/+$/, '');
  const token = options.tokenVariable;
  const env: Record<string, string> = {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_ENDPOINT: server,
  };
  if (options.gatewayUrl) env.ANTHROPIC_BASE_URL = options.gatewayUrl.replace(/\/+$/, '');
  return {
    hooks: hookSettings(server, { tokenVariable: token }, options.hookTimeoutSeconds),
    allowManagedHooksOnly: true,
    env,
    // Both print the token from the developer's environment; it is never written into this file.
    apiKeyHelper: `printenv ${token}`,
    otelHeadersHelper: `printf '{"Authorization":"Bearer %s"}' "$${token}"`,
    permissions: { deny: [...new Set(options.denyMirror)].sort() },
  };
}
