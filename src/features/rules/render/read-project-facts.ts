// Reads what a project says about itself for sync: its repository (declared in `.claude/llm-rules.json`,
// else its git remote `origin`) and its tech stacks (declared, else recognised from its root files and
// package.json). A project without git, a remote or a package.json simply has fewer facts.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  detectTechStacks,
  normalizeRepository,
  parseProjectDeclaration,
  projectTechStacks,
  techStacksFromPackageJson,
} from '../../../core/rules/project-facts.ts';

export interface ProjectFacts {
  repository: string | null;
  techStacks: string[];
}

export type GitRemoteReader = (dir: string) => Promise<string | null>;

const run = promisify(execFile);

export const gitOriginUrl: GitRemoteReader = async (dir) => {
  try {
    const { stdout } = await run('git', ['-C', dir, 'remote', 'get-url', 'origin'], { timeout: 5_000 });
    return stdout.trim() || null;
  } catch {
    return null; // not a repository, no origin, or no git at all
  }
};

export async function readProjectFacts(
  dir: string,
  gitRemote: GitRemoteReader = gitOriginUrl,
): Promise<ProjectFacts> {
  const declared = parseProjectDeclaration(await readOptional(join(dir, '.claude', 'llm-rules.json')));
  const repository = normalizeRepository(declared.repository) ?? normalizeRepository(await gitRemote(dir));
  const packageJson = await readOptional(join(dir, 'package.json'));
  const detected = new Set([
    ...detectTechStacks(await readdir(dir)),
    ...(packageJson === null ? [] : techStacksFromPackageJson(packageJson)),
  ]);
  return { repository, techStacks: projectTechStacks(declared.tech_stacks, [...detected]) };
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}
