// The SHA-256 the audit chain is computed with, for the stores that append and the service that verifies.

import { createHash } from 'node:crypto';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
