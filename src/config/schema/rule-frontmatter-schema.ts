// The YAML frontmatter of a markdown rule file.

import { z } from 'zod';
import { checkedString, idSchema } from './common-schemas.ts';
import { checkGlob } from './permission-patterns.ts';

const names = z.array(z.string().min(1)).optional();

export const ruleFrontmatterSchema = z.strictObject({
  id: checkedString((value) =>
    /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value)
      ? undefined
      : { message: `invalid rule id "${value}"`, hint: 'use letters, digits, ., - and _' },
  ).optional(),
  title: z.string().min(1).optional(),
  applies_to: z
    .strictObject({
      tenants: z.array(idSchema).optional(),
      business_units: names,
      teams: names,
      agents: names,
      repositories: names,
      paths: z.array(checkedString(checkGlob)).optional(),
      tech_stacks: names,
    })
    .optional(),
  priority: z.int().optional(),
  preload: z.boolean().optional(),
});

export type RuleFrontmatter = z.output<typeof ruleFrontmatterSchema>;
