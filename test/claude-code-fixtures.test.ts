// The repository's copy of the captured Claude Code payloads (test/fixtures) is the one the tests read;
// where the repository sits beside their source (../shared/fixtures), the two must be the same files.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, SHARED_FIXTURES_DIR } from './support/claude-code-fixtures.ts';

const beside = existsSync(SHARED_FIXTURES_DIR);
if (!beside) console.warn(`⚠ ${SHARED_FIXTURES_DIR} is not here: the fixture copy is not compared with it.`);

describe('the captured Claude Code fixtures', () => {
  it('are in the repository', () => {
    expect(readdirSync(FIXTURES_DIR)).toContain('hook-events.ndjson');
  });

  it.skipIf(!beside)('are the same files as their source beside the repository', () => {
    const names = readdirSync(SHARED_FIXTURES_DIR).sort();
    expect(readdirSync(FIXTURES_DIR).sort()).toEqual(names);
    for (const name of names)
      expect(readFileSync(join(FIXTURES_DIR, name), 'utf8'), name).toBe(
        readFileSync(join(SHARED_FIXTURES_DIR, name), 'utf8'),
      );
  });
});
