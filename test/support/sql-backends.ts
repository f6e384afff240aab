// The two real databases integration tests run against: a fresh SQLite directory, and a fresh
// PostgreSQL schema (skipped, visibly, without DATABASE_URL).
import type { CreateStorageOptions } from '../../src/storage/create-storage.ts';
import { DATABASE_URL, dropSchema, uniqueSchema } from './postgres.ts';
import { tempDir } from './temp-dir.ts';

export interface SqlDatabase {
  /** Options that open (another) Storage over this one database. */
  options: CreateStorageOptions;
  /** SQLite: the data directory; PostgreSQL: the schema. */
  location: string;
  cleanup(): Promise<void>;
}

export interface SqlBackend {
  name: 'SQLite' | 'PostgreSQL';
  enabled: boolean;
  create(prefix: string): Promise<SqlDatabase>;
}

export const SQL_BACKENDS: SqlBackend[] = [
  {
    name: 'SQLite',
    enabled: true,
    async create() {
      const dir = await tempDir();
      return { options: { dataDir: dir.path }, location: dir.path, cleanup: dir.remove };
    },
  },
  {
    name: 'PostgreSQL',
    enabled: Boolean(DATABASE_URL),
    async create(prefix) {
      const schema = uniqueSchema(prefix);
      return {
        options: { databaseUrl: DATABASE_URL!, postgresSchema: schema },
        location: schema,
        cleanup: () => dropSchema(schema),
      };
    },
  },
];
