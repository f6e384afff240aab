// The payloads captured from Claude Code 2.1.330. Their source is ../shared/fixtures beside the
// repository; the tests read the copy in test/fixtures, so a clone anywhere is whole, and
// test/claude-code-fixtures.test.ts fails when the copy and its source differ.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './temp-dir.ts';

export const FIXTURES_DIR = join(REPO_ROOT, 'test', 'fixtures', 'claude-code-2.1.330');
/** Where the fixtures come from, when the repository sits beside it. */
export const SHARED_FIXTURES_DIR = join(REPO_ROOT, '..', 'shared', 'fixtures', 'claude-code-2.1.330');

export function readFixture(name: string): string {
  return readFileSync(join(FIXTURES_DIR, name), 'utf8');
}

/** Every hook input Claude Code sent, one object per captured event. */
export function hookEventFixtures(): Record<string, unknown>[] {
  return readFixture('hook-events.ndjson')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
