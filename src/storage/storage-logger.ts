// The little logging the storage layer needs; pino's logger satisfies it, and a no-op default keeps tests quiet.

export interface StorageLogger {
  warn(obj: object, msg?: string): void;
}

export const silentLogger: StorageLogger = { warn() {} };
