// How SQLite reports what the shared Kysely stores need to tell apart.

import { errorCode, type SqlDialectTraits } from '../kysely/sql-dialect-traits.ts';

export const sqliteTraits: SqlDialectTraits = {
  supportsForUpdate: false,
  isUniqueViolation: (error) =>
    errorCode(error) === 'SQLITE_CONSTRAINT_UNIQUE' || errorCode(error) === 'SQLITE_CONSTRAINT_PRIMARYKEY',
  isForeignKeyViolation: (error) => errorCode(error) === 'SQLITE_CONSTRAINT_FOREIGNKEY',
};
