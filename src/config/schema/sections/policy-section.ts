// `policy:` in config.yaml: what a tool call gets when no rule decides it.

import { z } from 'zod';

// Deny by default: an ungoverned action fails closed, like the hook itself (`onFailure: block`).
export const policySection = z
  .strictObject({
    decision: z.enum(['deny', 'ask', 'defer']).default('deny'),
  })
  .prefault({});
