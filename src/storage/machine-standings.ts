// Joins sessions' reports with the documents served to their principals; shared by every adapter.
import type { SessionStanding } from './machine-port.ts';

export function standingsOf(
  reports: readonly Pick<
    SessionStanding,
    'sessionId' | 'principalId' | 'checksum' | 'userAgent' | 'firstSeen' | 'lastSeen'
  >[],
  served: readonly { userId: string; checksum: string; lastServed: Date }[],
): SessionStanding[] {
  const byUser = new Map<string, { checksum: string; lastServed: Date }[]>();
  for (const s of served) byUser.set(s.userId, [...(byUser.get(s.userId) ?? []), s]);
  return reports
    .map((r) => {
      const documents = byUser.get(r.principalId) ?? [];
      const latest = documents.reduce<(typeof documents)[number] | undefined>(
        (best, d) => (!best || d.lastServed > best.lastServed ? d : best),
        undefined,
      );
      const mine = documents.find((d) => d.checksum === r.checksum);
      return {
        sessionId: r.sessionId,
        principalId: r.principalId,
        checksum: r.checksum,
        userAgent: r.userAgent,
        firstSeen: r.firstSeen,
        lastSeen: r.lastSeen,
        checksumServedAt: mine?.lastServed ?? null,
        latestServedAt: latest?.lastServed ?? null,
        latestChecksum: latest?.checksum ?? null,
      };
    })
    .sort((a, b) => b.lastSeen.getTime() - a.lastSeen.getTime());
}
