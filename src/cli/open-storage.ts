// Opens (and migrates) the store a CLI command works on: `--data DIR` / LLM_RULES_DATA for SQLite,
// DATABASE_URL for PostgreSQL — the same selection the server makes.
import { createStorage } from '../storage/create-storage.ts';
import type { Storage } from '../storage/ports.ts';
import type { CliIo } from './cli-io.ts';
import { storageLocationFromEnv } from './environment.ts';

export const DEFAULT_DATA_DIR = '.llm-rules';

export async function openStorage(io: CliIo, dataFlag: string | undefined, migrate = true): Promise<Storage> {
  const fromEnv = storageLocationFromEnv(io.env);
  const storage = await createStorage(
    fromEnv.databaseUrl
      ? { databaseUrl: fromEnv.databaseUrl }
      : { dataDir: dataFlag ?? fromEnv.dataDir ?? DEFAULT_DATA_DIR },
  );
  try {
    if (migrate) await storage.migrate();
  } catch (error) {
    await storage.close();
    throw error;
  }
  return storage;
}

export async function withStorage<T>(
  io: CliIo,
  dataFlag: string | undefined,
  work: (s: Storage) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const storage = await openStorage(io, dataFlag, options.migrate ?? true);
  try {
    return await work(storage);
  } finally {
    await storage.close();
  }
}
