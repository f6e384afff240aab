// Which config fields hold secrets. Their `${ENV}` references are kept as written in bundles (the
// value is resolved from the server's own environment when used) and plans never print them.

const SECRET_FIELD_NAME = /(^|_)(secret|password|token|private_key|api_key|secret_access_key|routing_key)$/i;

export function isSecretField(name: string | number | undefined): boolean {
  return typeof name === 'string' && SECRET_FIELD_NAME.test(name);
}

/** True when a field path (dotted) ends in a secret field. */
export function isSecretPath(path: string): boolean {
  return isSecretField(
    path
      .split('.')
      .at(-1)
      ?.replace(/\[\d+\]$/, ''),
  );
}
