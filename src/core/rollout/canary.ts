// Which users a canary bundle applies to: a stable hash of tenant and user picks a bucket 0–99, so
// the same people stay in the canary as its share grows, and every server instance agrees.

export function canaryBucket(tenantId: string, userId: string): number {
  // FNV-1a, 32 bit: tiny, pure and well spread for short strings.
  let hash = 0x811c9dc5;
  const text = `${tenantId}/${userId}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 100;
}

export function inCanary(tenantId: string, userId: string, percent: number): boolean {
  return canaryBucket(tenantId, userId) < percent;
}
