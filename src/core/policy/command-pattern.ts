// Matchers for Bash command rules (Claude Code's prefix and wildcard forms) and for domain rules.
//
// `Bash(npm run test:*)`: the legacy prefix form, matching `npm run test` itself and anything that
// continues it after a word boundary (space or `:`), so `npm run test:unit` but not `npm run tests`.
// `Bash(git *)`: `*` matches any text, spaces included; a single trailing ` *` is optional, so the
// rule also matches bare `git`. Anything else matches the whole sub-command exactly.

export type TextMatcher = (text: string) => boolean;

export function compileCommandPattern(spec: string): TextMatcher {
  const rule = spec.trim().replace(/\s+/g, ' ');
  if (rule === '*' || rule === '') return () => true;
  if (rule.endsWith(':*')) {
    const prefix = rule.slice(0, -2);
    if (prefix.includes('*')) {
      const re = wildcard(prefix, '(?:[\\s:][\\s\\S]*)?');
      return (text) => re.test(text);
    }
    return (text) => text === prefix || (text.startsWith(prefix) && /[\s:]/.test(text[prefix.length] ?? ''));
  }
  if (rule.includes('*')) {
    const stars = rule.split('*').length - 1;
    if (stars === 1 && rule.endsWith(' *')) {
      const re = wildcard(rule.slice(0, -2), '(?: [\\s\\S]*)?');
      return (text) => re.test(text);
    }
    const re = wildcard(rule, '');
    return (text) => re.test(text);
  }
  return (text) => text === rule;
}

function wildcard(pattern: string, tail: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(`^${body}${tail}$`);
}

/** `example.com` matches that host only; `*.example.com` its subdomains (not the apex); `*` any. */
export function compileDomainPattern(spec: string): TextMatcher {
  const pattern = spec.toLowerCase();
  if (pattern === '*') return () => true;
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    return (host) => host.endsWith(suffix) && host.length > suffix.length;
  }
  return (host) => host === pattern;
}

/** `mcp__github__*`, `mcp__*`, `Explore`: a glob where `*` matches any run of characters. */
export function compileNamePattern(spec: string): TextMatcher {
  if (!spec.includes('*')) return (name) => name === spec;
  const re = wildcard(spec, '');
  return (name) => re.test(name);
}

/** `git` for `git push origin` (and for `git:x`): the name command rules are filed under. */
export function commandName(text: string): string {
  const match = /^[^\s:]*/.exec(text);
  return match ? match[0] : text;
}
