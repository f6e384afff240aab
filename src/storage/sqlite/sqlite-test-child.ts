// A second process for the SQLite tests: `migrate|activate <dataDir> [startAtEpochMs]`, printing JSON.

import { bundle } from '../contract/contract-fixtures.ts';
import { createSqliteStorage } from './sqlite-storage.ts';

const [command, dataDir, startAt] = process.argv.slice(2);
if (!dataDir || (command !== 'migrate' && command !== 'activate')) {
  throw new Error('usage: sqlite-test-child.ts migrate|activate <dataDir>');
}
const storage = createSqliteStorage({ dataDir });
// Lets the parent start several children on the same instant, whatever their start-up times.
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt ?? 0) - Date.now())));
try {
  if (command === 'migrate') {
    process.stdout.write(JSON.stringify(await storage.migrate()));
  } else {
    const b = bundle();
    await storage.bundles.put(b);
    await storage.bundles.activate(b.revision, 'child process', new Date());
    process.stdout.write(JSON.stringify(b.revision));
  }
} finally {
  await storage.close();
}
