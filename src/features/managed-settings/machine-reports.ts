// Collects, off the request path, the managed settings served and the checksum each session reports on
// its model requests, and writes them in batches. A session is written when its checksum changes and
// otherwise every few minutes (its `last_seen`), not on every request.
import type { MachineStore, SessionReport, SettingsServed } from '../../storage/machine-port.ts';

const FLUSH_MS = 1_000;
/** A session reporting the same checksum is written again after this, to keep its last sighting fresh. */
const REFRESH_MS = 5 * 60_000;
const MAX_REMEMBERED = 50_000;

export interface MachineReportsLogger {
  error(obj: object, msg: string): void;
}

export class MachineReports {
  #served: SettingsServed[] = [];
  #reports: SessionReport[] = [];
  readonly #written = new Map<string, { checksum: string | null; at: number }>();
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;

  constructor(
    private readonly store: MachineStore,
    private readonly logger: MachineReportsLogger,
  ) {}

  served(served: SettingsServed): void {
    this.#served.push(served);
    this.#schedule();
  }

  seen(report: SessionReport): void {
    const key = `${report.tenantId}\u0000${report.sessionId}`;
    const known = this.#written.get(key);
    const at = report.at.getTime();
    if (known && known.checksum === report.checksum && at - known.at < REFRESH_MS) return;
    if (this.#written.size >= MAX_REMEMBERED) this.#written.clear();
    this.#written.set(key, { checksum: report.checksum, at });
    this.#reports.push(report);
    this.#schedule();
  }

  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#writing;
    await this.#write();
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#writing = this.#write().finally(() => {
        this.#writing = undefined;
      });
    }, FLUSH_MS);
    this.#timer.unref();
  }

  async #write(): Promise<void> {
    const served = this.#served;
    const reports = this.#reports;
    this.#served = [];
    this.#reports = [];
    try {
      if (served.length > 0) await this.store.recordServed(served);
      if (reports.length > 0) await this.store.recordReports(reports);
    } catch (error) {
      // Sightings are not billing: what failed is forgotten (and said), and the next ones carry on.
      this.#written.clear();
      this.logger.error(
        { err: error, served: served.length, reports: reports.length },
        'could not record machine reports',
      );
    }
  }
}
