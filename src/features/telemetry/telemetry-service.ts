// Ingests Claude Code's OTLP logs and metrics: who sent them comes from the credential (and the org),
// not from what the client says; model calls our gateway already metered are flagged so they are not
// counted twice; events are stored with the rollups they add, in one transaction.

import { rollupIncrements } from '../../core/analytics/rollup.ts';
import { toolRollupIncrements } from '../../core/analytics/tool-rollup.ts';
import type { StoredTelemetryEvent, TelemetryEvent, TelemetryStore } from '../../storage/telemetry-port.ts';
import type { AuthenticatedKey, CredentialAuthenticator } from '../keys/keys-service.ts';
import { eventsFromLogs, eventsFromMetrics } from './otlp-mapping.ts';
import type { OtlpLogsRequest, OtlpMetricsRequest } from './otlp-types.ts';
import { telemetryContribution, toolUse } from './telemetry-rollup.ts';

/** More than this in one export is refused whole: Claude Code batches far fewer. */
export const MAX_RECORDS_PER_EXPORT = 20_000;

export interface IngestResult {
  accepted: number;
  /** Records that were not stored, with why. */
  rejected: number;
  reason?: string;
}

export class TelemetryService {
  constructor(
    private readonly deps: {
      credentials: CredentialAuthenticator;
      store: TelemetryStore;
      now: () => Date;
    },
  ) {}

  authenticate(credential: string): Promise<AuthenticatedKey> {
    return this.deps.credentials.authenticate(credential);
  }

  async ingestLogs(who: AuthenticatedKey, request: OtlpLogsRequest): Promise<IngestResult> {
    const events = eventsFromLogs(request, this.deps.now());
    return this.store(who, events, 0, undefined);
  }

  async ingestMetrics(who: AuthenticatedKey, request: OtlpMetricsRequest): Promise<IngestResult> {
    const { events, skippedCumulative } = eventsFromMetrics(request, this.deps.now());
    return this.store(
      who,
      events,
      skippedCumulative,
      skippedCumulative > 0
        ? 'cumulative sums are not accepted; set OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta'
        : undefined,
    );
  }

  private async store(
    who: AuthenticatedKey,
    events: TelemetryEvent[],
    rejected: number,
    reason: string | undefined,
  ): Promise<IngestResult> {
    if (events.length > MAX_RECORDS_PER_EXPORT) {
      return {
        accepted: 0,
        rejected: events.length + rejected,
        reason: `more than ${MAX_RECORDS_PER_EXPORT} records in one export`,
      };
    }
    const profile = who.profile;
    const attribution = {
      userId: who.principal.id,
      businessUnitId: 'businessUnitId' in profile ? profile.businessUnitId : null,
      teamId: profile.teamId,
    };
    const modelCallSessions = events
      .filter((e) => (e.name === 'api_request' || e.name === 'api_error') && e.sessionId)
      .map((e) => e.sessionId!);
    const metered = await this.deps.store.gatewaySessions(who.tenantId, modelCallSessions);
    const stored: StoredTelemetryEvent[] = events.map((e) => ({
      ...e,
      ...attribution,
      gatewayMetered:
        (e.name === 'api_request' || e.name === 'api_error') &&
        e.sessionId !== null &&
        metered.has(e.sessionId),
    }));
    const rollups = rollupIncrements(stored.flatMap((e) => telemetryContribution(e) ?? []));
    const tools = toolRollupIncrements(stored.flatMap((e) => toolUse(e) ?? []));
    await this.deps.store.ingest(who.tenantId, stored, rollups, tools);
    return { accepted: stored.length, rejected, ...(reason ? { reason } : {}) };
  }
}
