// `llm-rules migrate`: applies pending storage migrations (the server also does this at start).
import type { CliIo } from './cli-io.ts';
import { withStorage } from './open-storage.ts';
import { parseFlags, stringFlag } from './parse-flags.ts';

const USAGE = 'llm-rules migrate [--data DIR]   (DATABASE_URL selects PostgreSQL)';

export async function migrateCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, { data: { type: 'string' } }, USAGE);
  await withStorage(
    io,
    stringFlag(values, 'data'),
    async (storage) => {
      const applied = await storage.migrate();
      for (const name of applied) io.stdout(`applied ${name}`);
      io.stdout(
        `✓ ${storage.dialect} storage is at the latest schema (${applied.length} migration(s) applied now).`,
      );
    },
    'none',
  );
  return 0;
}
