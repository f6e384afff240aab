// Golden files for `llm-rules sync`: the example enterprise rendered for fixed audiences, in every format,
// compared file by file with the trees under test/golden/sync/<case>/. The bundle revision in headers is
// masked so that unrelated edits to the example do not churn the goldens. Regenerate: UPDATE_GOLDEN=1.
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncCommand } from '../src/cli/sync-command.ts';
import { fakeIo } from './support/fake-io.ts';
import { copyExampleConfig, EXAMPLE_CONFIG, REPO_ROOT, tempDir } from './support/temp-dir.ts';

const GOLDEN = join(REPO_ROOT, 'test/golden/sync');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface GoldenCase {
  name: string;
  flags: string[];
  /** Files copied over a copy of the example config (agents/, commands/). */
  overlay?: string;
}

const CASES: GoldenCase[] = [
  {
    name: 'acme-payments-web',
    flags: ['--team', 'payments', '--tech-stack', 'nextjs', '--repository', 'acme/web'],
  },
  {
    name: 'acme-data-notebooks',
    flags: ['--business-unit', 'data', '--tech-stack', 'python,jupyter', '--repository', 'acme/notebooks'],
    overlay: join(REPO_ROOT, 'test/fixtures/sync-definitions'),
  },
  {
    name: 'globex',
    flags: ['--tenant', 'globex', '--repository', 'globex/lab', '--agents', 'claude,cursor,copilot'],
  },
];

async function readTree(root: string): Promise<Record<string, string>> {
  const tree: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    tree[relative(root, path).split('\\').join('/')] = await readFile(path, 'utf8');
  }
  return tree;
}

const maskRevision = (text: string) =>
  text.replace(/\b(policy bundle|Bundle) [0-9a-f]{12}\b/g, '$1 <revision>');

describe('sync golden files', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    work = await tempDir();
  });
  afterEach(async () => {
    await work.remove();
  });

  for (const golden of CASES) {
    it(`renders ${golden.name}`, async () => {
      let config = EXAMPLE_CONFIG;
      if (golden.overlay) {
        config = await copyExampleConfig(work.path);
        await cp(golden.overlay, config, { recursive: true });
      }
      const project = join(work.path, 'project');
      await mkdir(project);
      const io = fakeIo({ cwd: work.path });
      expect(await syncCommand(['--project', project, '--config', config, ...golden.flags], io)).toBe(0);
      expect(io.err).toEqual([]);
      const actual = Object.fromEntries(
        Object.entries(await readTree(project)).map(([path, text]) => [path, maskRevision(text)]),
      );
      actual['../stdout.txt'] = `${maskRevision(io.out.join('\n'))}\n`;
      const dir = join(GOLDEN, golden.name);
      if (UPDATE) {
        await rm(dir, { recursive: true, force: true });
        await rm(`${dir}.stdout.txt`, { force: true });
        for (const [path, text] of Object.entries(actual)) {
          const target = path === '../stdout.txt' ? `${dir}.stdout.txt` : join(dir, path);
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, text);
        }
      }
      const expected = await readTree(dir);
      expected['../stdout.txt'] = await readFile(`${dir}.stdout.txt`, 'utf8').catch(() => '');
      expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
      for (const path of Object.keys(expected)) expect(actual[path], path).toBe(expected[path]);
    });
  }
});
