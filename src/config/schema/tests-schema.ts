// tests/*.yaml: policy test cases, only shape-checked here (they run in `llm-rules test`).

import { z } from 'zod';

export const testCasesFileSchema = z.array(
  z.strictObject({
    name: z.string().min(1),
    input: z.record(z.string(), z.unknown()),
    expect: z.record(z.string(), z.unknown()),
  }),
);
