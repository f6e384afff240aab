// `${VAR}`, `${VAR:-default}` and the `$${` escape in config string values.

export type EnvMap = Readonly<Record<string, string | undefined>>;

export interface InterpolationError {
  /** Offset of the offending `${` inside the string. */
  index: number;
  message: string;
  hint?: string;
}

export type InterpolationResult = { ok: true; value: string } | { ok: false; errors: InterpolationError[] };

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function interpolateEnv(text: string, env: EnvMap): InterpolationResult {
  if (!text.includes('$')) return { ok: true, value: text };
  const errors: InterpolationError[] = [];
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i += 1;
      continue;
    }
    const close = text.indexOf('}', i + 2);
    if (close === -1) {
      errors.push({
        index: i,
        message: 'unterminated "${" in value',
        hint: 'close it with "}" or write "$${" for a literal "${"',
      });
      break;
    }
    const inner = text.slice(i + 2, close);
    const separator = inner.indexOf(':-');
    const name = separator === -1 ? inner : inner.slice(0, separator);
    if (!VARIABLE_NAME.test(name)) {
      errors.push({
        index: i,
        message: `invalid environment variable name "${name}" in "\${${inner}}"`,
        hint: 'names are letters, digits and _ (e.g. API_TOKEN); write "$${" for a literal "${"',
      });
    } else {
      const value = env[name];
      if (separator !== -1) {
        // Shell semantics: the default also replaces an empty value.
        out += value === undefined || value === '' ? inner.slice(separator + 2) : value;
      } else if (value === undefined) {
        errors.push({
          index: i,
          message: `environment variable ${name} is not set`,
          hint: `set ${name}, or give a default: \${${name}:-value}`,
        });
      } else {
        out += value;
      }
    }
    i = close + 1;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: out };
}
