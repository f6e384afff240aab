// The compiled runtime (ADR 0008) stays ASCII. V8 keeps every loaded module's source text in the heap,
// one byte a character, but two for the whole file as soon as one character is outside Latin-1: a single
// `→` in a comment esbuild keeps (a class member's or an object property's doc comment) doubles what the
// server's own code costs in memory, in the main thread and again in the writer thread.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module of bin/, without type declarations.
import { BUNDLED_PACKAGES, compiledMain, installedPackage } from '../bin/compiled-runtime.js';
import { REPO_ROOT } from './support/temp-dir.ts';

/** Each character outside ASCII in a file, as `file:line: text`. */
function nonAsciiLines(file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, index) => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is what is being looked for.
    if (/[^\u0000-\u007f]/.test(line)) found.push(`${file}:${index + 1}: ${line.trim().slice(0, 120)}`);
  });
  return found;
}

/** The build's directory and its JavaScript files (built first if the sources changed). */
async function builtFiles(): Promise<{ dir: string; files: string[] }> {
  const dir = dirname((await compiledMain()) as string);
  return { dir, files: (await readdir(dir)).filter((name) => name.endsWith('.js')) };
}

describe('the compiled runtime', () => {
  it('is ASCII, so V8 holds its source one byte a character', async () => {
    const { dir, files } = await builtFiles();
    expect(files).toContain('main.js');
    const found: string[] = [];
    for (const name of files) found.push(...nonAsciiLines(name, await readFile(join(dir, name), 'utf8')));
    // A hit is a comment or literal in src/ that esbuild carried over: write it in ASCII (`->`, `...`),
    // or as an escape (`\u2026`) in a string or regular expression.
    expect(found, `non-ASCII in the build (${dir}):\n${found.join('\n')}`).toEqual([]);
  });

  it('bundles the ES module packages it names rather than importing them from node_modules', async () => {
    const { dir, files } = await builtFiles();
    const imports = new Set<string>();
    for (const name of files) {
      const text = await readFile(join(dir, name), 'utf8');
      // A bundled CommonJS module's require() of a built-in fails at run time in an ES module build.
      expect(text.includes('__require('), `${name} calls esbuild's require shim`).toBe(false);
      for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*"([^"./][^"]*)"/g))
        imports.add(specifier!);
    }
    // The check sees the imports left to Node: these are (an external package stays one).
    expect([...imports]).toContain('fastify');
    expect(BUNDLED_PACKAGES).toContain('kysely');
    for (const name of BUNDLED_PACKAGES as string[])
      expect([...imports].filter((i) => i === name || i.startsWith(`${name}/`))).toEqual([]);
  });

  it('finds each bundled package where Node resolves it, for the fingerprint', async () => {
    for (const name of BUNDLED_PACKAGES as string[]) {
      const { dir, version } = installedPackage(name) as { dir: string; version: string };
      const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
      expect(manifest.name).toBe(name);
      expect(version).toBe(manifest.version);
    }
    expect(installedPackage('kysely').dir).toBe(join(REPO_ROOT, 'node_modules', 'kysely'));
    expect(installedPackage('no-such-package-llm-rules')).toBeUndefined();
  });

  it('finds a character outside ASCII (the check itself)', () => {
    expect(nonAsciiLines('x.js', 'const a = 1;\n/** a → b */\n')).toEqual(['x.js:2: /** a → b */']);
    expect(nonAsciiLines('x.js', 'const a = "plain";\n')).toEqual([]);
  });
});
