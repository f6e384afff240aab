// permissions.yaml: roles, each a list of permission strings or `{description, permissions, inherits}`.

import { z } from 'zod';
import { checkedString } from './common-schemas.ts';
import { checkPermissionString } from './permission-patterns.ts';
import { policyRulesSchema } from './policy-rules-schema.ts';

export const permissionStringSchema = checkedString(checkPermissionString);

/** The guide's short form: `admin: [agents:*, rules:*]`. */
export const roleListSchema = z.array(permissionStringSchema);

export const roleObjectSchema = z.strictObject({
  description: z.string().optional(),
  permissions: z.array(permissionStringSchema).default([]),
  inherits: z.array(z.string().min(1)).default([]),
  policy: policyRulesSchema.optional(),
});

/** The file's top level; each role is validated on its own, by its form. */
export const permissionsFileSchema = z.strictObject({
  roles: z.record(z.string(), z.unknown()).default({}),
});
