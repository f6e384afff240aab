// The durations of alerts.yaml (`for:`, `renotify:`, `evaluation_interval:`) and their defaults.

import type { AlertTiming } from './alert-state-machine.ts';

/** While firing, how often an alert is sent again (Alertmanager's repeat_interval). */
export const DEFAULT_RENOTIFY = '4h';
export const DEFAULT_EVALUATION_INTERVAL = '30s';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A config duration (`30s`, `5m`, `4h`, `1d`) in milliseconds; NaN when it is not one. */
export function durationMs(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2]!]! : Number.NaN;
}

export function alertTiming(rule: { for?: string | undefined; renotify?: string | undefined }): AlertTiming {
  return {
    forMs: rule.for === undefined ? 0 : durationMs(rule.for),
    renotifyMs: durationMs(rule.renotify ?? DEFAULT_RENOTIFY),
  };
}
