// `caching:` in config.yaml: the context and rules caches.

import { z } from 'zod';

function cacheFields(maxSizeMb: number) {
  return {
    enabled: z.boolean().default(true),
    ttl_seconds: z.int().min(0).default(3600),
    max_size_mb: z.int().min(1).default(maxSizeMb),
  };
}

export const cachingSection = z
  .strictObject({
    context: z.strictObject(cacheFields(100)).prefault({}),
    rules: z
      .strictObject({ ...cacheFields(50), preload: z.array(z.string().min(1)).default([]) })
      .prefault({}),
  })
  .prefault({});
