// Compiles the path specifier of a permission rule (`Read(./.env)`, `Edit(src/**)`) into a matcher.
//
// Claude Code's permission rules follow the gitignore spec, with four anchors (Claude Code docs,
// "Permissions" → "Read and Edit"):
//   `//path` absolute from the file system root   `~/path` from the home directory
//   `/path`  relative to the project root (here: the session's cwd)
//   `path` or `./path` relative to the current directory (cwd).
// As in gitignore, a pattern with no `/` except a trailing one (`.env*`) matches at any depth below
// its anchor, and a pattern that matches a directory also matches everything inside it.

import picomatch from 'picomatch';
import { canonical, relativeTo, UNKNOWN_HOME } from './path-normalize.ts';

/** Canonical directories (see normalizePath), lowercased when the tenant folds case. */
export interface PathContext {
  cwd: string;
  home: string | undefined;
}

/** `relToCwd` is `path` relative to `context.cwd` (undefined outside it), computed once per check. */
export type PathMatcher = (path: string, context: PathContext, relToCwd?: string) => boolean;

type Anchor = 'root' | 'home' | 'cwd';

interface Parsed {
  anchor: Anchor;
  /** False for a slash-less pattern (`.env*`), which matches at any depth. */
  anchored: boolean;
  /** Leading `..` segments: the anchor moves up this many directories. */
  up: number;
  body: string;
}

function parseSpec(spec: string): Parsed {
  let anchor: Anchor = 'cwd';
  let glob = spec;
  if (glob.startsWith('//')) {
    anchor = 'root';
    glob = glob.slice(2);
  } else if (glob === '~' || glob.startsWith('~/')) {
    anchor = 'home';
    glob = glob.slice(1);
  }
  const anchored = anchor !== 'cwd' || glob.startsWith('/') || glob.startsWith('./') || /\/./.test(glob);
  // Lexically tidy the glob; leading `..` segments move the anchor up instead.
  const segments = canonicalSegments(glob);
  let up = 0;
  while (segments[0] === '..') {
    segments.shift();
    up++;
  }
  return { anchor, anchored, up, body: segments.join('/') || '**' };
}

/**
 * The directory or file a pattern covers when it is a plain path under the working directory
 * (`src/**`, `./secrets`, `/README.md` → `src`, `secrets`, `README.md`), so rules can be indexed by it.
 */
export function literalPath(spec: string, caseInsensitive: boolean): string | undefined {
  const { anchor, anchored, up, body } = parseSpec(spec);
  if (anchor !== 'cwd' || up !== 0) return undefined;
  const literal = literalPrefix(anchored, body, caseInsensitive);
  return literal === '' ? undefined : literal;
}

export function compilePathPattern(spec: string, caseInsensitive: boolean): PathMatcher {
  const { anchor, anchored, up, body } = parseSpec(spec);
  const fromCwd = anchor === 'cwd' && up === 0;
  const pattern = anchored ? body : `**/${body}`;
  const literal = literalPrefix(anchored || body === '**', body, caseInsensitive);
  if (literal !== undefined) {
    // `src/**`, `secrets`, `/README.md`: a string comparison does what the regex would.
    const dir = `${literal}/`;
    return (path, context, relToCwd) => {
      const rel = fromCwd
        ? (relToCwd ?? relativeTo(path, context.cwd))
        : relativeTo(path, anchorDir(anchor, context, up));
      if (rel === undefined) return false;
      return literal === '' || rel === literal || rel.startsWith(dir);
    };
  }
  const options = { dot: true, nocase: caseInsensitive };
  if (!anchored && !body.includes('/')) {
    // `.env*`, `*.pem`: matches when any segment does (the file itself, or a directory above it).
    // Testing segments avoids the backtracking of picomatch's `**/` prefix on long paths.
    const segment = picomatch.makeRe(body, options);
    return (path, context, relToCwd) => {
      const rel = fromCwd
        ? (relToCwd ?? relativeTo(path, context.cwd))
        : relativeTo(path, anchorDir(anchor, context, up));
      if (!rel) return false;
      let start = 0;
      for (;;) {
        const slash = rel.indexOf('/', start);
        if (segment.test(slash === -1 ? rel.slice(start) : rel.slice(start, slash))) return true;
        if (slash === -1) return false;
        start = slash + 1;
      }
    };
  }
  // One regex for "the pattern, or anything inside what it matches" (gitignore's directory rule).
  const self = picomatch.makeRe(pattern, options);
  const inside = picomatch.makeRe(pattern === '**' ? '**' : `${pattern}/**`, options);
  const both = new RegExp(`(?:${self.source})|(?:${inside.source})`, self.flags);
  const everything = pattern === '**' || pattern === '**/**';
  return (path, context, relToCwd) => {
    const rel = fromCwd
      ? (relToCwd ?? relativeTo(path, context.cwd))
      : relativeTo(path, anchorDir(anchor, context, up));
    if (rel === undefined) return false;
    if (rel === '') return everything;
    return both.test(rel);
  };
}

/** The literal directory or file an anchored `lit`, `lit/**` pattern covers ('' for `**`), else undefined. */
function literalPrefix(anchored: boolean, body: string, caseInsensitive: boolean): string | undefined {
  if (!anchored) return undefined;
  const stem = body === '**' ? '' : body.endsWith('/**') ? body.slice(0, -3) : body;
  if (/[*?[\]{}()!+@\\]/.test(stem)) return undefined;
  return caseInsensitive ? stem.toLowerCase() : stem;
}

/** Paths and the context arrive canonical (and lowercased when case-insensitive): no work unless `..` moved the anchor. */
function anchorDir(anchor: Anchor, context: PathContext, up: number): string {
  const base = anchor === 'root' ? '/' : anchor === 'home' ? (context.home ?? UNKNOWN_HOME) : context.cwd;
  return up === 0 ? base : canonical(`${base}${'/..'.repeat(up)}`);
}

function canonicalSegments(glob: string): string[] {
  const out: string[] = [];
  for (const segment of glob.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(segment);
  }
  return out;
}

/**
 * The literal first segment of a pattern anchored at the working directory (`src` for `src/**`),
 * so a decision can skip the rule without running its regex when the path starts elsewhere.
 */
export function literalHead(spec: string, caseInsensitive: boolean): string | undefined {
  if (spec.startsWith('//') || spec === '~' || spec.startsWith('~/')) return undefined;
  if (!(spec.startsWith('/') || spec.startsWith('./') || /\/./.test(spec))) return undefined;
  const head = canonicalSegments(spec)[0];
  if (head === undefined || head === '..' || /[*?[\]{}()!+@\\]/.test(head)) return undefined;
  return caseInsensitive ? head.toLowerCase() : head;
}
