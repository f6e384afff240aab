import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { gitOriginUrl, readProjectFacts } from './read-project-facts.ts';

describe('readProjectFacts', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    work = await tempDir();
  });
  afterEach(async () => {
    await work.remove();
  });

  it('takes the repository from the git remote and the stacks from root files and package.json', async () => {
    await writeFile(join(work.path, 'tsconfig.json'), '{}');
    await writeFile(join(work.path, 'package.json'), JSON.stringify({ dependencies: { next: '15' } }));
    const facts = await readProjectFacts(work.path, async () => 'git@github.com:Acme/Web.git');
    expect(facts).toEqual({ repository: 'acme/web', techStacks: ['nextjs', 'node', 'react', 'typescript'] });
  });

  it("prefers the project's own declaration", async () => {
    await mkdir(join(work.path, '.claude'));
    await writeFile(
      join(work.path, '.claude/llm-rules.json'),
      JSON.stringify({ repository: 'acme/infra', tech_stacks: ['Terraform'] }),
    );
    await writeFile(join(work.path, 'package.json'), '{}');
    const facts = await readProjectFacts(work.path, async () => 'https://github.com/acme/web');
    expect(facts).toEqual({ repository: 'acme/infra', techStacks: ['terraform'] });
  });

  it('has no repository outside git', async () => {
    expect(await gitOriginUrl(work.path)).toBeNull();
    expect(await readProjectFacts(work.path)).toEqual({ repository: null, techStacks: [] });
  });
});
