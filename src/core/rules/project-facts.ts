// What a project tells about itself: its repository (from the git remote) and its tech stacks (declared,
// else recognised from the files at its root). Used by the SessionStart hook's report and by `sync`.

/** `git@github.com:acme/web.git`, `https://user:tok@github.com/acme/web` → `acme/web`; null when unreadable. */
export function normalizeRepository(remote: string | null | undefined): string | null {
  if (!remote) return null;
  let text = remote.trim();
  if (text === '') return null;
  // scp-like syntax: user@host:path
  const scp = /^[\w.-]+@[\w.-]+:(?!\/\/)(.+)$/.exec(text);
  if (scp) text = scp[1]!;
  else {
    try {
      text = new URL(text).pathname;
    } catch {
      // A bare `owner/name` or a local path: keep as written.
    }
  }
  const path = text
    .replace(/\.git\/?$/, '')
    .replace(/\/+$/, '')
    .replace(/^\/+/, '');
  if (!/^[\w.~-]+(?:\/[\w.~-]+)*$/.test(path)) return null;
  return path.toLowerCase();
}

/** Marker files at a project's root and the stacks they show. Checked in order; names are lowercase. */
const MARKERS: readonly [RegExp, readonly string[]][] = [
  [/^next\.config\.(?:js|mjs|cjs|ts)$/, ['nextjs', 'react']],
  [/^(?:vite|webpack)\.config\.(?:js|mjs|cjs|ts)$/, ['javascript']],
  [/^angular\.json$/, ['angular']],
  [/^nuxt\.config\.(?:js|ts)$/, ['nuxt', 'vue']],
  [/^svelte\.config\.(?:js|ts)$/, ['svelte']],
  [/^package\.json$/, ['node']],
  [/^tsconfig\.json$/, ['typescript']],
  [/^(?:pyproject\.toml|requirements\.txt|setup\.py|setup\.cfg|pipfile)$/, ['python']],
  [/\.ipynb$/, ['jupyter', 'python']],
  [/^go\.mod$/, ['go']],
  [/^cargo\.toml$/, ['rust']],
  [/^(?:pom\.xml|build\.gradle(?:\.kts)?)$/, ['java']],
  [/^gemfile$/, ['ruby']],
  [/^composer\.json$/, ['php']],
  [/\.(?:csproj|sln)$/, ['dotnet']],
  [/^(?:main|versions)\.tf$|\.tf$/, ['terraform']],
  [/^dockerfile$/, ['docker']],
];

/** Stacks recognised from the names of the files at the project's root. */
export function detectTechStacks(rootFileNames: readonly string[]): string[] {
  const found = new Set<string>();
  for (const raw of rootFileNames) {
    const name = raw.toLowerCase();
    for (const [pattern, stacks] of MARKERS) if (pattern.test(name)) for (const s of stacks) found.add(s);
  }
  return [...found].sort();
}

/** Stacks from package.json dependencies, for callers that can read it (sync). */
export function techStacksFromPackageJson(text: string): string[] {
  let deps: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text) as { dependencies?: object; devDependencies?: object };
    deps = { ...(parsed.dependencies ?? {}), ...(parsed.devDependencies ?? {}) } as Record<string, unknown>;
  } catch {
    return [];
  }
  const out = new Set<string>();
  const has = (name: string) => Object.hasOwn(deps, name);
  if (has('next')) out.add('nextjs').add('react');
  if (has('react')) out.add('react');
  if (has('vue')) out.add('vue');
  if (has('@angular/core')) out.add('angular');
  if (has('svelte')) out.add('svelte');
  if (has('express') || has('fastify')) out.add('node');
  if (has('typescript')) out.add('typescript');
  return [...out].sort();
}

export interface ProjectDeclaration {
  repository?: string;
  tech_stacks?: string[];
}

/**
 * A project's own declaration, `.claude/llm-rules.json` (`{"tech_stacks": ["nextjs"], "repository":
 * "acme/web"}`); anything else is ignored rather than trusted.
 */
export function parseProjectDeclaration(text: string | null | undefined): ProjectDeclaration {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const record = value as Record<string, unknown>;
  const out: ProjectDeclaration = {};
  if (typeof record.repository === 'string') out.repository = record.repository;
  if (Array.isArray(record.tech_stacks)) {
    const stacks = record.tech_stacks.filter(
      (s): s is string => typeof s === 'string' && /^[\w.+-]{1,40}$/.test(s),
    );
    out.tech_stacks = stacks.slice(0, 20).map((s) => s.toLowerCase());
  }
  return out;
}

/** Declared stacks win; detection fills in only when the project declares none. */
export function projectTechStacks(
  declared: readonly string[] | undefined,
  detected: readonly string[],
): string[] {
  return [...new Set(declared && declared.length > 0 ? declared : detected)].sort();
}
