import { describe, expect, it } from 'vitest';
import {
  detectTechStacks,
  normalizeRepository,
  parseProjectDeclaration,
  projectTechStacks,
  techStacksFromPackageJson,
} from './project-facts.ts';

describe('normalizeRepository', () => {
  it.each([
    ['git@github.com:Acme/Web.git', 'acme/web'],
    ['https://github.com/acme/web.git', 'acme/web'],
    ['https://user:secret-token@github.com/acme/web', 'acme/web'],
    ['ssh://git@gitlab.acme.test:2222/group/sub/repo.git', 'group/sub/repo'],
    ['acme/web', 'acme/web'],
    ['', null],
    [null, null],
    ['https://github.com/acme/we b', null],
  ])('%s → %s', (remote, expected) => {
    expect(normalizeRepository(remote)).toBe(expected);
  });

  it('never keeps credentials of a remote URL', () => {
    expect(normalizeRepository('https://x:ghp_abc@github.com/acme/web')).not.toMatch(/ghp_abc/);
  });
});

describe('tech stacks', () => {
  it('recognises marker files at the project root', () => {
    expect(detectTechStacks(['next.config.mjs', 'package.json', 'tsconfig.json', 'README.md'])).toEqual([
      'nextjs',
      'node',
      'react',
      'typescript',
    ]);
    expect(detectTechStacks(['pyproject.toml', 'analysis.ipynb'])).toEqual(['jupyter', 'python']);
    expect(detectTechStacks([])).toEqual([]);
  });

  it('reads package.json dependencies', () => {
    expect(
      techStacksFromPackageJson('{"dependencies":{"next":"15"},"devDependencies":{"typescript":"5"}}'),
    ).toEqual(['nextjs', 'react', 'typescript']);
    expect(techStacksFromPackageJson('not json')).toEqual([]);
  });

  it('prefers what the project declares, and ignores a malformed declaration', () => {
    const declared = parseProjectDeclaration(
      '{"tech_stacks":["NextJS","bad value!"],"repository":"acme/web"}',
    );
    expect(declared).toEqual({ tech_stacks: ['nextjs'], repository: 'acme/web' });
    expect(projectTechStacks(declared.tech_stacks, ['python'])).toEqual(['nextjs']);
    expect(projectTechStacks(parseProjectDeclaration('[1]').tech_stacks, ['python'])).toEqual(['python']);
    expect(parseProjectDeclaration('{')).toEqual({});
  });
});
