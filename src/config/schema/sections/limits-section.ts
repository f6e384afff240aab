// `limits:` in config.yaml: per-session and per-day resource caps.

import { z } from 'zod';

export const limitsSection = z
  .strictObject({
    max_context_tokens: z.int().min(1).default(200_000),
    max_sessions_per_day: z.int().min(1).default(100),
    max_tool_calls_per_session: z.int().min(1).default(500),
    /** Bytes. */
    max_file_size: z.int().min(1).default(10_485_760),
  })
  .prefault({});
