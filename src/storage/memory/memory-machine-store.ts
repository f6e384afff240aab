// In-memory MachineStore for unit tests, with the SQL adapters' semantics.
import type { MachineStore, SessionReport, SessionStanding, SettingsServed } from '../machine-port.ts';
import { standingsOf } from '../machine-standings.ts';
import type { TenantId } from '../ports.ts';

export class MemoryMachineStore implements MachineStore {
  readonly #served = new Map<string, SettingsServed & { firstServed: Date }>();
  readonly #reports = new Map<string, SessionReport & { firstSeen: Date }>();

  async recordServed(served: readonly SettingsServed[]): Promise<void> {
    for (const s of served) {
      const key = `${s.tenantId}\u0000${s.userId}\u0000${s.checksum}`;
      const known = this.#served.get(key);
      this.#served.set(key, { ...s, firstServed: known?.firstServed ?? s.at, at: maxDate(known?.at, s.at) });
    }
  }

  async recordReports(reports: readonly SessionReport[]): Promise<void> {
    for (const r of reports) {
      const key = `${r.tenantId}\u0000${r.sessionId}`;
      const known = this.#reports.get(key);
      if (known && known.at > r.at) continue;
      this.#reports.set(key, { ...r, firstSeen: known?.firstSeen ?? r.at });
    }
  }

  async sessions(tenantId: TenantId, since: Date): Promise<SessionStanding[]> {
    const reports = [...this.#reports.values()].filter((r) => r.tenantId === tenantId && r.at >= since);
    const served = [...this.#served.values()].filter((s) => s.tenantId === tenantId);
    return standingsOf(
      reports.map((r) => ({ ...r, lastSeen: r.at })),
      served.map((s) => ({ userId: s.userId, checksum: s.checksum, lastServed: s.at })),
    );
  }
}

const maxDate = (a: Date | undefined, b: Date) => (a && a > b ? a : b);
