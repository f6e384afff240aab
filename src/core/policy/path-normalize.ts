// Lexical path normalization: every path is made absolute and canonical before any rule sees it.

/** Where `~` points when the hook does not say: a name no real path has, used on both sides alike. */
export const UNKNOWN_HOME = '/~';

/**
 * Resolves `path` against `cwd` (and `~` against `home`) without touching the file system:
 * `.` and empty segments drop, `..` pops (never above `/`), trailing slashes go.
 */
export function normalizePath(path: string, cwd: string, home: string | undefined): string {
  let full: string;
  if (path === '~' || path.startsWith('~/')) full = `${home ?? UNKNOWN_HOME}/${path.slice(1)}`;
  else if (path.startsWith('/')) full = path;
  else full = `${cwd}/${path}`;
  return canonical(full);
}

// Already canonical: absolute, and no empty, `.` or `..` segment and no trailing slash.
const NEEDS_WORK = /\/\/|(^|\/)\.\.?(\/|$)|.\/$/;

/** `/a//b/./c/../d/` → `/a/b/d`; a relative input is treated as relative to `/`. */
export function canonical(path: string): string {
  if (path.startsWith('/') && !NEEDS_WORK.test(path)) return path;
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

/** `path` relative to `dir` (both canonical), '' when equal, undefined when `path` is not inside `dir`. */
export function relativeTo(path: string, dir: string): string | undefined {
  if (path === dir) return '';
  if (dir === '/') return path.slice(1);
  // No `${dir}/` concatenation: this runs once per rule per decision.
  return path.length > dir.length && path.charCodeAt(dir.length) === 47 && path.startsWith(dir)
    ? path.slice(dir.length + 1)
    : undefined;
}

/** How a path is shown in reasons: relative to the project when inside it, else absolute. */
export function displayPath(path: string, cwd: string): string {
  const rel = relativeTo(path, cwd);
  return rel === undefined ? path : rel === '' ? '.' : rel;
}
