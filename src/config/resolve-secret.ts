// Resolves a secret field's `${VAR}` reference, kept as written in the bundle, from the environment
// of the process that needs the value.
import { ConfigError } from '../core/errors/app-error.ts';
import { type EnvMap, interpolateEnv } from './env-interpolation.ts';

export function resolveSecret(reference: string, env: EnvMap, field: string): string {
  const result = interpolateEnv(reference, env);
  if (result.ok) return result.value;
  throw new ConfigError(`${field}: ${result.errors.map((e) => e.message).join('; ')}`, { field });
}
