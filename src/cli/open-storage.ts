// Opens the store a CLI command works on: `--data DIR` / LLM_RULES_DATA for SQLite, DATABASE_URL for
// PostgreSQL — the same selection the server makes. The embedded SQLite file is migrated on open; a
// shared PostgreSQL is migrated only by `llm-rules migrate` (or a server start), never as a side
// effect of another command.
import { createStorage, DEFAULT_DATA_DIR } from '../storage/create-storage.ts';
import type { Storage } from '../storage/ports.ts';
import type { CliIo } from './cli-io.ts';
import { storageLocationFromEnv } from './environment.ts';

export type MigrationPolicy = 'auto' | 'none';

export async function openStorage(
  io: CliIo,
  dataFlag: string | undefined,
  policy: MigrationPolicy,
): Promise<Storage> {
  const fromEnv = storageLocationFromEnv(io.env);
  const storage = await createStorage(
    fromEnv.databaseUrl
      ? { databaseUrl: fromEnv.databaseUrl }
      : { dataDir: dataFlag ?? fromEnv.dataDir ?? DEFAULT_DATA_DIR },
  );
  try {
    if (policy === 'auto') {
      if (storage.dialect === 'sqlite') await storage.migrate();
      else await storage.ping(); // fails with "run `llm-rules migrate`" when migrations are pending
    }
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
  policy: MigrationPolicy = 'auto',
): Promise<T> {
  const storage = await openStorage(io, dataFlag, policy);
  try {
    return await work(storage);
  } finally {
    await storage.close();
  }
}
