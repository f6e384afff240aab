// Path normalization, Claude Code rule forms for paths, commands and domains, and their index filing.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandName, compileCommandPattern, compileDomainPattern } from './command-pattern.ts';
import { decide } from './decide.ts';
import { canonical, normalizePath } from './path-normalize.ts';
import { compilePathPattern, literalPath } from './path-pattern.ts';
import { commandHead } from './permission-rule.ts';
import { call, compileTest } from './policy-test-config.ts';

describe('normalizePath', () => {
  it.each([
    ['a/b', '/repo', '/repo/a/b'],
    ['./a/../b', '/repo', '/repo/b'],
    ['b/', '/repo', '/repo/b'],
    ['a//b///c', '/repo', '/repo/a/b/c'],
    ['/etc/../etc/./passwd', '/repo', '/etc/passwd'],
    ['../../../../x', '/repo', '/x'],
    ['.', '/repo', '/repo'],
    ['~/.ssh/id', '/repo', '/home/u/.ssh/id'],
    ['~', '/repo', '/home/u'],
    ['a/~/b', '/repo', '/repo/a/~/b'],
    ['', '/repo/', '/repo'],
  ])('%j in %j → %j', (path, cwd, expected) => {
    expect(normalizePath(path, cwd, '/home/u')).toBe(expected);
  });

  it('keeps ~ paths consistent when the home directory is unknown', () => {
    expect(normalizePath('~/x', '/repo', undefined)).toBe('/~/x');
  });

  it('canonical is idempotent', () => {
    fc.assert(fc.property(fc.string(), (p) => canonical(canonical(p)) === canonical(p)));
  });
});

describe('compilePathPattern: Claude Code rule forms', () => {
  const ctx = { cwd: '/repo', home: '/home/u' };
  it.each([
    // bare name without a slash: any depth below cwd (gitignore)
    ['.env', '/repo/.env', true],
    ['.env', '/repo/pkg/a/.env', true],
    ['.env', '/other/.env', false],
    ['.env*', '/repo/.env.local', true],
    ['*.pem', '/repo/keys/a.pem', true],
    // anchored at cwd
    ['./.env', '/repo/.env', true],
    ['./.env', '/repo/pkg/.env', false],
    ['src/**', '/repo/src/a/b.ts', true],
    ['src/**', '/repo/src', true],
    ['src/**', '/repo/lib/src/a', false],
    ['src/**/*.ts', '/repo/src/a/b.ts', true],
    ['src/**/*.ts', '/repo/src/a/b.js', false],
    ['/src/**', '/repo/src/x', true],
    ['src', '/repo/src/deep/file', true],
    ['secrets/', '/repo/a/secrets/k', true],
    ['../shared/**', '/shared/x', true],
    ['../shared/**', '/repo/shared/x', false],
    ['**', '/repo', true],
    ['**', '/elsewhere', false],
    // absolute and home
    ['//etc/passwd', '/etc/passwd', true],
    ['//etc/**', '/etc/ssh/sshd_config', true],
    ['//etc/**', '/repo/etc/x', false],
    ['~/.ssh/**', '/home/u/.ssh/id', true],
    ['~/.ssh/**', '/repo/.ssh/id', false],
    ['~', '/home/u/anything', true],
    // dotfiles are matched like any file
    ['src/**', '/repo/src/.hidden', true],
  ])('%j matches %j: %s', (spec, path, expected) => {
    expect(compilePathPattern(spec, false)(path, ctx)).toBe(expected);
  });

  it('folds case when asked', () => {
    // Callers lowercase the path itself (decide does, under case_insensitive_paths); the pattern folds here.
    expect(compilePathPattern('SRC/**', true)('/repo/src/a', ctx)).toBe(true);
    expect(compilePathPattern('*.PEM', true)('/repo/k/a.pem', ctx)).toBe(true);
    expect(compilePathPattern('SRC/**', false)('/repo/src/a', ctx)).toBe(false);
  });
});

describe('compileCommandPattern: Claude Code Bash rules', () => {
  it.each([
    ['npm run test:*', 'npm run test', true],
    ['npm run test:*', 'npm run test:unit --watch', true],
    ['npm run test:*', 'npm run test -- a', true],
    ['npm run test:*', 'npm run tests', false],
    ['git push:*', 'git push --force', true],
    ['git *', 'git', true],
    ['git *', 'git status', true],
    ['git *', 'gitk', false],
    ['git * main', 'git push origin main', true],
    ['git * main', 'git push origin dev', false],
    ['npm test', 'npm test', true],
    ['npm test', 'npm test x', false],
    ['*', 'anything at all', true],
    ['git  diff   *', 'git diff a', true],
  ])('%j vs %j: %s', (rule, text, expected) => {
    expect(compileCommandPattern(rule)(text)).toBe(expected);
  });

  it.each([
    ['x.com', 'x.com', true],
    ['x.com', 'a.x.com', false],
    ['*.x.com', 'a.x.com', true],
    ['*.x.com', 'x.com', false],
    ['*.x.com', 'evilx.com', false],
  ])('domain %j vs %j: %s', (rule, host, expected) => {
    expect(compileDomainPattern(rule)(host)).toBe(expected);
  });
});

describe('property: filing plain-path rules by their path loses no match', () => {
  it('a rule with a literal path matches exactly the paths at or below it', () => {
    const seg = fc.constantFrom('src', 'a', '.env', 'x.ts', '..', '.', '*', '**', 'b*');
    const spec = fc
      .tuple(fc.constantFrom('', './', '/', '//', '~/'), fc.array(seg, { minLength: 1, maxLength: 3 }))
      .map(([prefix, parts]) => prefix + parts.join('/'));
    const path = fc
      .array(fc.constantFrom('src', 'a', '.env', 'x.ts'), { maxLength: 4 })
      .map((p) => canonical(`/repo/${p.join('/')}`));
    fc.assert(
      fc.property(spec, path, (rule, subject) => {
        const literal = literalPath(rule, false);
        if (literal === undefined) return true;
        const rel = subject === '/repo' ? '' : subject.slice('/repo/'.length);
        const covered = rel === literal || rel.startsWith(`${literal}/`);
        return compilePathPattern(rule, false)(subject, { cwd: '/repo', home: '/home/u' }) === covered;
      }),
      { numRuns: 3000 },
    );
  });
});

describe('property: filing command rules by command name loses no match', () => {
  it('a rule that matches a sub-command is filed under that sub-command name', () => {
    const token = fc.constantFrom(
      'git',
      'push',
      'git:x',
      'npm',
      'run',
      'test:unit',
      '*',
      'a*',
      ':*',
      '-f',
      'foo:bar',
    );
    const text = fc.array(token, { minLength: 1, maxLength: 4 }).map((t) => t.join(' '));
    fc.assert(
      fc.property(text, text, (rule, command) => {
        if (!compileCommandPattern(rule)(command)) return true;
        const head = commandHead(rule);
        return head === undefined || head === commandName(command);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['git:*', 'git:foo'],
    ['git:*', 'git status'],
    ['foo:bar:*', 'foo:bar baz'],
    ['  git   push:*', 'git push'],
  ])('%j is filed where %j finds it', (rule, command) => {
    expect(compileCommandPattern(rule)(command)).toBe(true);
    expect(commandHead(rule)).toBe(commandName(command));
  });
});

describe('property: equivalent paths decide alike', () => {
  const policy = compileTest({
    tenant: {
      deny: ['Read(secrets/**)', 'Read(.env*)', 'Read(//etc/**)'],
      ask: ['Read(docs/**)'],
      allow: ['Bash(cat:*)'],
    },
  });
  const segment = fc.constantFrom('src', 'secrets', 'docs', '.env', 'a', 'b.ts', 'etc', 'repo');
  const relPath = fc.array(segment, { minLength: 1, maxLength: 4 });

  it('./x, x/, x//, a/../x, /cwd/x and ~-relative spellings give one decision', () => {
    fc.assert(
      fc.property(relPath, segment, (segments, detour) => {
        const rel = segments.join('/');
        const spellings = [
          rel,
          `./${rel}`,
          `${rel}/`,
          segments.join('//'),
          `${detour}/../${rel}`,
          `/repo/${rel}`,
          `//repo/./${rel}`,
          `~/../../repo/${rel}`,
        ];
        const outcomes = spellings.map(
          (p) => decide(policy, call('Read', { file_path: p }, { home: '/home/alice' })).outcome,
        );
        // `cat` is allowed, so a Bash read decides by the file rules alone.
        const bash = spellings.map(
          (p) => decide(policy, call('Bash', { command: `cat '${p}'` }, { home: '/home/alice' })).outcome,
        );
        return outcomes.every((o) => o === outcomes[0]) && bash.every((o) => o === bash[0]);
      }),
      { numRuns: 400 },
    );
  });
});
