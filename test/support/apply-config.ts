// Applies a `.claude/` directory to the SQLite store in `dataDir`, as `llm-rules apply` would.
import { BundlesService } from '../../src/features/bundles/bundles-service.ts';
import { createStorage } from '../../src/storage/create-storage.ts';

export async function applyConfig(dataDir: string, configDir: string): Promise<void> {
  const storage = await createStorage({ dataDir });
  try {
    await storage.migrate();
    await new BundlesService(storage).apply(configDir, {}, 'test');
  } finally {
    await storage.close();
  }
}
