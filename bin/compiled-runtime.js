// The compiled runtime (ADR 0008): the TypeScript sources bundled by esbuild into build/<fingerprint>/, so
// a running server has no tsx loader (and no loader thread per JavaScript thread). The fingerprint is taken
// from the sources' paths, sizes and modification times and from this script's text, so an edited or
// checked-out tree, or a changed build option, is rebuilt on its next start (~0.6 s) and an unchanged one
// starts at once; there is no build step to forget.
//
// Packages stay in node_modules, loaded from there, but for BUNDLED_PACKAGES: packages published as ES
// modules of many files, which Node's ES module loader costs far more to load file by file than as part
// of our bundle (kysely's 300 files: 2.9 MB of heap and 17 MB of resident memory, against 1.1 MB and
// 2 MB bundled), in the main thread and again in the writer thread. The installed tree is part of the
// fingerprint, so a changed dependency is rebuilt.
//
// The build is minified for white space only (names stay): V8 keeps every module's source text in the
// heap, and comments and indentation were a third of it. A stack trace then points into one long line;
// with LLM_RULES_DEBUG=1 the source maps name the TypeScript sources, as before.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const BUILD = join(ROOT, 'build');
/** The entry points; the writer thread is its own, beside main.js (see sqlite-audit-writer.ts). */
const ENTRIES = {
  main: join(SRC, 'cli/main.ts'),
  'sqlite-audit-writer-thread': join(SRC, 'storage/sqlite/sqlite-audit-writer-thread.ts'),
};
/** Bundled into the build rather than imported from node_modules (see the top of this file). */
export const BUNDLED_PACKAGES = ['kysely', 'zod', 'jose', 'openid-client', 'oauth4webapi'];

/** `@scope/name/sub/path` -> `@scope/name`; `name/sub/path` -> `name`. */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Every package import is left to Node at run time but those of BUNDLED_PACKAGES. */
function bundledPackages() {
  return {
    name: 'bundled-packages',
    setup(build) {
      // Bare specifiers (packages, built-in modules); not an entry point given as an absolute path, which
      // on Windows (`C:\...`) does not start with `.` or `/` either.
      build.onResolve({ filter: /^[^./]/ }, ({ path, kind }) => {
        if (kind === 'entry-point' || isAbsolute(path)) return undefined;
        return BUNDLED_PACKAGES.includes(packageName(path)) ? undefined : { path, external: true };
      });
    },
  };
}

/** Builds no running process can still need (its writer thread starts lazily) are removed after this. */
const KEEP_OLD_BUILDS_MS = 7 * 86_400_000;

/** The path of the compiled `main.js` for the sources as they are now; builds it first if needed. */
export async function compiledMain() {
  const fingerprint = await fingerprintSources();
  const dir = join(BUILD, fingerprint);
  const main = join(dir, 'main.js');
  if (existsSync(main)) return main;
  // Built aside and renamed into place, so concurrent starts never see half a build: the first rename
  // wins, and a later one finds the directory taken and drops its own copy.
  const scratch = `${dir}.tmp-${process.pid}-${Date.now()}`;
  const { build } = await import('esbuild');
  await build({
    entryPoints: ENTRIES,
    outdir: scratch,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [bundledPackages()],
    minifyWhitespace: true,
    sourcemap: 'linked',
    chunkNames: 'chunk-[hash]',
    logLevel: 'error',
  });
  try {
    await rename(scratch, dir);
  } catch (error) {
    if (!existsSync(main)) throw error;
    await rm(scratch, { recursive: true, force: true });
  }
  await pruneOldBuilds(fingerprint);
  return main;
}

async function fingerprintSources() {
  const hash = createHash('sha256');
  for (const file of await sourceFiles(SRC)) {
    const info = await stat(file);
    hash.update(`${relative(SRC, file)}\0${info.size}\0${info.mtimeMs}\n`);
  }
  // A different esbuild or Node may compile differently, and so may this script's build options.
  hash.update(`${process.version}\0${createRequire(import.meta.url)('esbuild/package.json').version}`);
  hash.update(await readFile(fileURLToPath(import.meta.url)));
  // The bundled packages' files are in the build too: their versions, and npm's record of the tree they
  // are installed in (node_modules/.package-lock.json, rewritten by every install, update or removal),
  // found where Node resolves them from (a hoisted copy too), so a changed dependency is rebuilt. A file
  // edited in node_modules by hand is not seen: remove build/ after that.
  const trees = new Set();
  for (const name of BUNDLED_PACKAGES) {
    const installed = installedPackage(name);
    hash.update(`${name}\0${installed?.version ?? ''}\n`);
    const tree = installed?.dir.lastIndexOf(`${sep}node_modules${sep}`) ?? -1;
    if (tree >= 0) trees.add(join(installed.dir.slice(0, tree), 'node_modules'));
  }
  for (const tree of [...trees].sort()) {
    const record = join(tree, '.package-lock.json');
    if (!existsSync(record)) continue;
    const info = await stat(record);
    hash.update(`${relative(ROOT, record)}\0${info.size}\0${info.mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The package `name` as Node resolves it from here, its directory and version, or undefined if it is
 * missing.
 */
export function installedPackage(name) {
  let dir;
  try {
    dir = dirname(fileURLToPath(import.meta.resolve(name)));
  } catch {
    return undefined;
  }
  // Up from its entry module to the package.json that names it (a package may hold others of its own).
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name: named, version } = JSON.parse(readFileSync(manifest, 'utf8'));
    if (named === name) return { dir, version };
  }
  return undefined;
}

/** Every .ts file under src/ but the tests, sorted, so the fingerprint does not depend on readdir order. */
async function sourceFiles(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

async function pruneOldBuilds(current) {
  const now = Date.now();
  await mkdir(BUILD, { recursive: true });
  for (const name of await readdir(BUILD)) {
    if (name === current) continue;
    const path = join(BUILD, name);
    try {
      if (now - (await stat(path)).mtimeMs > KEEP_OLD_BUILDS_MS)
        await rm(path, { recursive: true, force: true });
    } catch {
      // Another start pruned it first.
    }
  }
}
