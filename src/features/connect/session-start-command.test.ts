// Runs the SessionStart command in a real shell against a local HTTP server: what a developer machine sends.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectFromHeaders } from '../rules/project-report.ts';
import { sessionStartCommand } from './session-start-command.ts';

const run = promisify(execFile);
let project: string;
let url: string;
const seen: { headers: IncomingHttpHeaders; body: string }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    seen.push({ headers: req.headers, body });
    res.setHeader('content-type', 'application/json');
    res.end('{"hookSpecificOutput":{"hookEventName":"SessionStart","additionalContext":"rules"}}');
  });
});

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'llm-rules-project-'));
  await mkdir(join(project, '.claude'));
  await writeFile(join(project, 'package.json'), '{}');
  await writeFile(join(project, 'next.config.mjs'), '');
  await writeFile(join(project, '.claude/llm-rules.json'), '{\n  "tech_stacks": ["nextjs", "react"]\n}\n');
  await run('git', ['init', '-q', project]);
  await run('git', [
    '-C',
    project,
    'remote',
    'add',
    'origin',
    'https://dev:ghp_secret@github.com/acme/web.git',
  ]);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/hooks/claude-code`;
});

afterAll(async () => {
  server.close();
  await rm(project, { recursive: true, force: true });
});

function runHook(env: Record<string, string>, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', sessionStartCommand(url, '$LLM_RULES_TOKEN', 5)], {
      env: { PATH: process.env.PATH ?? '', LLM_RULES_TOKEN: 'llmr_test', ...env },
      cwd: project,
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
    child.stdin.end(input);
  });
}

describe('the SessionStart hook command', () => {
  it('posts the hook input and reports the project, without the remote credentials', async () => {
    const input = '{"session_id":"s1","hook_event_name":"SessionStart","cwd":"/x"}';
    const out = await runHook({ CLAUDE_PROJECT_DIR: project }, input);
    expect(JSON.parse(out).hookSpecificOutput.additionalContext).toBe('rules');
    const request = seen.at(-1)!;
    expect(request.body).toBe(input);
    expect(request.headers.authorization).toBe('Bearer llmr_test');
    expect(JSON.stringify(request.headers)).not.toMatch(/ghp_secret/);
    expect(projectFromHeaders(request.headers)).toEqual({
      repository: 'acme/web',
      techStacks: ['nextjs', 'react'],
      projectDir: project,
    });
  });

  it('still posts from a directory that is no git repository and declares nothing', async () => {
    const bare = await mkdtemp(join(tmpdir(), 'llm-rules-bare-'));
    await writeFile(join(bare, 'pyproject.toml'), '');
    try {
      await runHook(
        { CLAUDE_PROJECT_DIR: bare },
        '{"session_id":"s2","hook_event_name":"SessionStart","cwd":"/x"}',
      );
      expect(projectFromHeaders(seen.at(-1)!.headers)).toEqual({
        repository: null,
        techStacks: ['python'],
        projectDir: bare,
      });
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });
});
