// `policy:` in config.yaml: the tenant's tool-call rules, and what a tool call gets when no rule decides it.

import { z } from 'zod';
import { checkedString } from '../common-schemas.ts';
import { policyRulesFields } from '../policy-rules-schema.ts';

const AGENT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

// Deny by default: an ungoverned action fails closed, like the hook itself (`onFailure: block`).
export const policySection = z
  .strictObject({
    decision: z.enum(['deny', 'ask', 'defer']).default('deny'),
    ...policyRulesFields,
    default_agent: checkedString((name) =>
      AGENT_NAME.test(name)
        ? undefined
        : {
            message: `invalid agent name "${name}"`,
            hint: 'use lowercase letters, digits, - and _ (an agent_routing key)',
          },
    ).default('developer'),
    case_insensitive_paths: z.boolean().default(false),
  })
  .prefault({});
