// `gdpr:` in config.yaml: personal-data retention, automatic deletion and export format.

import { z } from 'zod';

export const gdprSection = z
  .strictObject({
    enabled: z.boolean().default(false),
    data_retention_days: z.int().min(1).default(365),
    auto_delete_expired: z.boolean().default(false),
    export_format: z.enum(['json', 'csv', 'ndjson']).default('json'),
  })
  .prefault({});
