// `llm-rules sync`, run in-process: idempotence, --check, hand-written files, removed rules, --managed.
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeIo } from '../../test/support/fake-io.ts';
import { copyExampleConfig, EXAMPLE_CONFIG, tempDir } from '../../test/support/temp-dir.ts';
import { BundlesService } from '../features/bundles/bundles-service.ts';
import { createStorage } from '../storage/create-storage.ts';
import { connectCommand } from './connect-command.ts';
import { main } from './main.ts';
import { syncCommand } from './sync-command.ts';

const PROJECT_FLAGS = ['--team', 'payments', '--tech-stack', 'nextjs', '--repository', 'acme/web'];

async function snapshot(root: string): Promise<Map<string, { text: string; mtime: number }>> {
  const out = new Map<string, { text: string; mtime: number }>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(relative(root, path), { text: await readFile(path, 'utf8'), mtime: (await stat(path)).mtimeMs });
  }
  return out;
}

describe('llm-rules sync', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let project: string;
  const sync = async (...args: string[]) => {
    const io = fakeIo({ cwd: work.path });
    const code = await syncCommand(['--project', project, ...args], io);
    return { code, out: io.out.join('\n'), err: io.err.join('\n') };
  };
  beforeEach(async () => {
    work = await tempDir();
    project = join(work.path, 'project');
    await mkdir(project);
  });
  afterEach(async () => {
    await work.remove();
  });

  it('writes every format once, and a second run changes nothing', async () => {
    const first = await sync('--config', EXAMPLE_CONFIG, ...PROJECT_FLAGS);
    expect(first.code).toBe(0);
    expect(first.out).toContain('Synced: 18 written, 0 unchanged, 0 removed, 0 skipped (hand-written).');
    expect(first.out).toContain(
      'Not rendered: 2 rules for teams or business units not named (data-notebooks, platform-conventions)',
    );
    const before = await snapshot(project);
    await new Promise((done) => setTimeout(done, 20));
    const second = await sync('--config', EXAMPLE_CONFIG, ...PROJECT_FLAGS);
    expect(second.out).toContain('Synced: 0 written, 18 unchanged, 0 removed, 0 skipped (hand-written).');
    expect(await snapshot(project)).toEqual(before);
  });

  it('--check exits 0 when fresh, 1 listing what is stale or missing, and writes nothing', async () => {
    await sync('--config', EXAMPLE_CONFIG, ...PROJECT_FLAGS);
    expect((await sync('--config', EXAMPLE_CONFIG, ...PROJECT_FLAGS, '--check')).code).toBe(0);
    const agentsMd = join(project, 'AGENTS.md');
    await writeFile(agentsMd, `${await readFile(agentsMd, 'utf8')}\nAn edit by hand.\n`);
    await rm(join(project, '.cursor/rules/code-review.mdc'));
    const before = await snapshot(project);
    const checked = await sync('--config', EXAMPLE_CONFIG, ...PROJECT_FLAGS, '--check');
    expect(checked.code).toBe(1);
    expect(checked.out).toContain('  stale    AGENTS.md');
    expect(checked.out).toContain('  missing  .cursor/rules/code-review.mdc');
    expect(checked.out).toContain('Out of date: 1 stale, 1 missing, 0 extra');
    expect(await snapshot(project)).toEqual(before);
  });

  it('leaves a hand-written CLAUDE.md alone, with a warning', async () => {
    await writeFile(join(project, 'CLAUDE.md'), '# Our own notes\n');
    const result = await sync('--config', EXAMPLE_CONFIG, ...PROJECT_FLAGS, '--agents', 'claude');
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/^warning: CLAUDE\.md was not written by llm-rules sync .*left alone/);
    expect(result.out).toContain('1 skipped (hand-written)');
    expect(await readFile(join(project, 'CLAUDE.md'), 'utf8')).toBe('# Our own notes\n');
    expect(
      (await sync('--config', EXAMPLE_CONFIG, ...PROJECT_FLAGS, '--agents', 'claude', '--check')).code,
    ).toBe(0);
  });

  it("removes a rule's generated files once the rule is gone from the config", async () => {
    const config = await copyExampleConfig(work.path);
    await sync('--config', config, ...PROJECT_FLAGS);
    await rm(join(config, 'rules/code-review.md'));
    const checked = await sync('--config', config, ...PROJECT_FLAGS, '--check');
    expect(checked.code).toBe(1);
    expect(checked.out).toContain('  extra    .claude/rules/code-review.md');
    const result = await sync('--config', config, ...PROJECT_FLAGS);
    expect(result.out).toContain('  removed  .claude/rules/code-review.md');
    expect(result.out).toContain('  removed  .cursor/rules/code-review.mdc');
    await expect(stat(join(project, '.claude/rules/code-review.md'))).rejects.toThrow(/ENOENT/);
    expect(await readFile(join(project, 'CLAUDE.md'), 'utf8')).not.toContain('code-review');
  });

  it("finds the repository from the project's git remote", async () => {
    const git = promisify(execFile);
    await git('git', ['init', '-q', project]);
    await git('git', ['-C', project, 'remote', 'add', 'origin', 'git@github.com:acme/platform-api.git']);
    const result = await sync('--config', EXAMPLE_CONFIG, '--team', 'platform', '--agents', 'agents-md');
    expect(result.out).toContain('repository acme/platform-api, tech stacks none');
    expect(await readFile(join(project, 'AGENTS.md'), 'utf8')).toContain('## Platform team');
  });

  it('names the file, line and field of a config error', async () => {
    const config = await copyExampleConfig(work.path);
    const yaml = await readFile(join(config, 'config.yaml'), 'utf8');
    await writeFile(join(config, 'config.yaml'), yaml.replace('    model: opus', '    modle: opus'));
    const io = fakeIo({ cwd: work.path });
    expect(await main(['sync', '--project', project, '--config', config], io)).toBe(1);
    expect(io.err[0]).toMatch(/config\.yaml:\d+:5 error agent_routing\.analyst\.modle: unknown key "modle"/);
  });

  it('refuses flags that do not belong together before opening anything', async () => {
    const refuses = async (args: string[], message: RegExp) =>
      expect(syncCommand(args, fakeIo({ cwd: work.path }))).rejects.toThrow(message);
    await refuses(['--managed'], /--server must be/);
    await refuses(
      ['--managed', '--server', 'https://x.test', '--project', '.'],
      /--project is not used with --managed/,
    );
    await refuses(['--server', 'https://x.test'], /--server needs --managed/);
    await refuses(['--config', 'a', '--data', 'b'], /give --config or --data, not both/);
    await refuses(
      ['--agents', 'claude,vim'],
      /--agents takes a list of claude, agents-md, cursor, copilot, not 'vim'/,
    );
    await refuses(['--repository', 'not a repo!'], /--repository takes OWNER\/NAME/);
    await refuses(['--project', join(work.path, 'missing'), '--config', EXAMPLE_CONFIG], /was not found/);
  });

  describe('from the store', () => {
    let data: string;
    beforeEach(async () => {
      data = join(work.path, 'data');
      const storage = await createStorage({ dataDir: data });
      await storage.migrate();
      await new BundlesService(storage).apply(EXAMPLE_CONFIG, {}, 'test');
      await storage.close();
    });

    it('renders the active bundle', async () => {
      const result = await sync('--data', data, ...PROJECT_FLAGS, '--agents', 'cursor');
      expect(result.code).toBe(0);
      expect(result.out).toContain('Synced: 5 written');
    });

    it('--managed writes the policy CLAUDE.md and exactly the settings `connect` writes', async () => {
      const dir = join(work.path, 'etc-claude-code');
      const flags = ['--server', 'http://127.0.0.1:8787', '--data', data];
      const io = fakeIo({ cwd: work.path });
      expect(await syncCommand(['--managed', '--dir', dir, '--team', 'payments', ...flags], io)).toBe(0);
      expect(io.out.join('\n')).toContain('Synced: 2 written');
      const claudeMd = await readFile(join(dir, 'CLAUDE.md'), 'utf8');
      expect(claudeMd).toMatch(/^<!-- Generated by llm-rules sync from policy bundle [0-9a-f]{12}\./);
      expect(claudeMd).toContain('## Security baseline (all of Acme)');
      expect(claudeMd).toContain(
        '### Payments — PCI DSS scope\n\nApplies to files matching `services/payments/**`.',
      );
      expect(claudeMd).not.toContain('Next.js');
      await connectCommand([...flags, '--out', 'connect.json'], fakeIo({ cwd: work.path }));
      expect(await readFile(join(dir, 'managed-settings.json'), 'utf8')).toBe(
        await readFile(join(work.path, 'connect.json'), 'utf8'),
      );
      expect(
        await syncCommand(['--managed', '--dir', dir, '--team', 'payments', '--check', ...flags], fakeIo()),
      ).toBe(0);
    });

    it('says so when no bundle is active', async () => {
      await expect(sync('--data', join(work.path, 'empty'))).rejects.toThrow(/No policy bundle is active/);
    });
  });
});
