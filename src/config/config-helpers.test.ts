// Unit tests of the small pieces: env interpolation, JSON syntax positions, did-you-mean, pattern checks, formatting.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests exercise the literal ${VAR} syntax

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestMatch, levenshtein } from './did-you-mean.ts';
import { interpolateEnv } from './env-interpolation.ts';
import { countProblems, formatProblem } from './format-problem.ts';
import { findJsonSyntaxError } from './json-syntax.ts';
import {
  checkAlertCondition,
  checkCommandRule,
  checkDomain,
  checkFilePattern,
  checkPermissionString,
  checkToolName,
} from './schema/permission-patterns.ts';

describe('interpolateEnv', () => {
  it('substitutes, defaults and escapes', () => {
    expect(interpolateEnv('a ${X} ${Y:-d} $${X} $5', { X: '1' })).toEqual({
      ok: true,
      value: 'a 1 d ${X} $5',
    });
  });

  it('names every missing variable with its offset', () => {
    expect(interpolateEnv('${A}-${B}', {})).toMatchObject({
      ok: false,
      errors: [
        { index: 0, message: 'environment variable A is not set' },
        { index: 5, message: 'environment variable B is not set' },
      ],
    });
  });

  it('reports unterminated and invalid references', () => {
    expect(interpolateEnv('x ${A', {})).toMatchObject({
      ok: false,
      errors: [{ index: 2, message: 'unterminated "${" in value' }],
    });
    expect(interpolateEnv('${1A}', {})).toMatchObject({
      ok: false,
      errors: [{ message: 'invalid environment variable name "1A" in "${1A}"' }],
    });
  });

  it('leaves strings without references unchanged', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('${')),
        (s) => {
          expect(interpolateEnv(s, {})).toEqual({ ok: true, value: s });
        },
      ),
    );
  });
});

describe('findJsonSyntaxError', () => {
  it('accepts valid JSON and agrees with JSON.parse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(findJsonSyntaxError(JSON.stringify(value, null, 2))).toBeUndefined();
      }),
    );
  });

  it('locates errors', () => {
    expect(findJsonSyntaxError('{"a": 1,}')).toEqual({ offset: 8, message: 'trailing comma before "}"' });
    expect(findJsonSyntaxError('{"a" 1}')).toEqual({
      offset: 5,
      message: 'expected ":" after a key, got "1"',
    });
    expect(findJsonSyntaxError('{a: 1}')).toEqual({
      offset: 1,
      message: 'expected a double-quoted key, got "a"',
    });
    expect(findJsonSyntaxError('[1, 2')).toEqual({
      offset: 5,
      message: 'expected "," or "]", got end of input',
    });
    expect(findJsonSyntaxError('')).toEqual({
      offset: 0,
      message: 'unexpected end of input, expected a value',
    });
  });
});

describe('did-you-mean', () => {
  it('computes edit distances', () => {
    expect(levenshtein('tool', 'tools')).toBe(1);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
  });

  it('suggests close names only', () => {
    expect(closestMatch('tool', ['tools', 'files'])).toBe('tools');
    expect(closestMatch('bad', ['id', 'title'])).toBeUndefined();
    expect(closestMatch('Developer', ['developer'])).toBe('developer');
  });
});

describe('permission patterns', () => {
  it('knows tool aliases, Claude Code tools and MCP tools', () => {
    for (const tool of [
      'read',
      'agent',
      'Read',
      'NotebookEdit',
      'WebSearch',
      'Task',
      'mcp__github__create_issue',
      'mcp__x__*',
      '*',
    ]) {
      expect(checkToolName(tool), tool).toBeUndefined();
    }
    expect(checkToolName('Shell')?.message).toBe('unknown tool "Shell"');
  });

  it('checks file patterns as globs or permission rules', () => {
    expect(checkFilePattern('.env*')).toBeUndefined();
    expect(checkFilePattern('Read(//etc/**)')).toBeUndefined();
    expect(checkFilePattern('Read()')?.message).toBe('empty specifier in "Read()"');
    expect(checkFilePattern('Bash(git push:* --force)')?.message).toContain(
      '":*" may only end a command rule',
    );
    expect(checkFilePattern('src\\main.ts')?.hint).toBe('use forward slashes (/) in paths');
  });

  it('checks commands, domains, permissions and alert conditions', () => {
    expect(checkCommandRule('git *')).toBeUndefined();
    expect(checkCommandRule('Bash(npm run test:*)')).toBeUndefined();
    expect(checkDomain('*.acme.test')).toBeUndefined();
    expect(checkDomain('a..b')?.message).toBe('invalid domain "a..b"');
    expect(checkPermissionString('*:*')).toBeUndefined();
    expect(checkPermissionString('rules:read')).toBeUndefined();
    expect(checkAlertCondition('error_rate >= 5%')).toBeUndefined();
    expect(checkAlertCondition('daily_cost > $100.50')).toBeUndefined();
    expect(checkAlertCondition('context_usage > 190%')?.message).toBe(
      'a percentage above 100 never fires: "context_usage > 190%"',
    );
  });
});

describe('formatProblem', () => {
  it('formats like a compiler, with the hint on the next line', () => {
    expect(
      formatProblem({
        file: 'examples/acme/.claude/config.yaml',
        line: 12,
        column: 7,
        path: 'agent_routing.developer.permissions.tool',
        message: 'unknown key "tool"',
        hint: 'did you mean "tools"?',
        severity: 'error',
      }),
    ).toBe(
      'examples/acme/.claude/config.yaml:12:7 error agent_routing.developer.permissions.tool: unknown key "tool"\n  hint: did you mean "tools"?',
    );
    expect(
      formatProblem({
        file: 'x/.claude',
        line: 0,
        column: 0,
        path: '',
        message: 'directory not found',
        severity: 'error',
      }),
    ).toBe('x/.claude error directory not found');
  });

  it('counts errors and warnings', () => {
    const p = { file: 'f', line: 1, column: 1, path: '', message: 'm' };
    expect(
      countProblems([
        { ...p, severity: 'error' },
        { ...p, severity: 'error' },
        { ...p, severity: 'warning' },
      ]),
    ).toBe('2 errors, 1 warning');
  });
});
