// The life of one alert instance (a rule in one tenant and scope): inactive → pending → firing → resolved,
// and which notification each evaluation owes — at most one per transition or re-notify interval.

export type AlertStatus = 'inactive' | 'pending' | 'firing' | 'resolved';

export interface AlertInstanceState {
  status: AlertStatus;
  /** The current (or last) episode, set when the condition starts to hold; the channels' de-duplication key. */
  instanceId: string | null;
  /** When the condition started to hold; null while inactive or resolved. */
  activeSince: Date | null;
  firedAt: Date | null;
  /** The last firing notification (first or repeat). */
  lastNotifiedAt: Date | null;
  resolvedAt: Date | null;
  /** The metric's value at the last change. */
  value: number | null;
}

export interface AlertTiming {
  /** How long the condition must hold before the alert fires (`for:`); 0 fires at once. */
  forMs: number;
  /** While firing, notify again after this long. */
  renotifyMs: number;
}

export interface AlertNotice {
  status: 'firing' | 'resolved';
  /** A reminder that the alert is still firing. */
  repeat: boolean;
}

export interface AlertStep {
  state: AlertInstanceState;
  /** Set when the status changed. */
  transition?: { from: AlertStatus; to: AlertStatus };
  /** The notification this evaluation owes, if any. */
  notify?: AlertNotice;
  /** False when nothing changed and nothing needs storing. */
  changed: boolean;
}

export const INACTIVE: Readonly<AlertInstanceState> = Object.freeze({
  status: 'inactive',
  instanceId: null,
  activeSince: null,
  firedAt: null,
  lastNotifiedAt: null,
  resolvedAt: null,
  value: null,
});

export interface Observation {
  /** Whether the condition holds; undefined when the metric has no value (no data changes nothing). */
  holds: boolean | undefined;
  value: number | undefined;
  now: Date;
}

/**
 * One evaluation. `newInstanceId` is called only when a new episode starts, so the same inputs always give the
 * same step. A rule that disappeared from the config is stepped with `holds: false`: it resolves.
 */
export function stepAlert(
  previous: AlertInstanceState | undefined,
  observation: Observation,
  timing: AlertTiming,
  newInstanceId: () => string,
): AlertStep {
  const state = previous ?? INACTIVE;
  const { holds, now } = observation;
  const value = observation.value ?? state.value;
  if (holds === undefined) return { state, changed: false };
  switch (state.status) {
    case 'inactive':
    case 'resolved': {
      if (!holds) return { state, changed: false };
      const started: AlertInstanceState = {
        ...INACTIVE,
        status: 'pending',
        instanceId: newInstanceId(),
        activeSince: now,
        value,
      };
      if (timing.forMs <= 0) return fire(started, state.status, now);
      return { state: started, transition: { from: state.status, to: 'pending' }, changed: true };
    }
    case 'pending': {
      if (!holds) {
        const ended = { ...state, status: 'inactive' as const, activeSince: null, value };
        return { state: ended, transition: { from: 'pending', to: 'inactive' }, changed: true };
      }
      const since = state.activeSince ?? now;
      if (now.getTime() - since.getTime() >= timing.forMs) return fire({ ...state, value }, 'pending', now);
      return { state, changed: false };
    }
    case 'firing': {
      if (!holds) {
        const resolved = { ...state, status: 'resolved' as const, activeSince: null, resolvedAt: now, value };
        return {
          state: resolved,
          transition: { from: 'firing', to: 'resolved' },
          notify: { status: 'resolved', repeat: false },
          changed: true,
        };
      }
      const last = state.lastNotifiedAt ?? state.firedAt ?? now;
      if (now.getTime() - last.getTime() < timing.renotifyMs) return { state, changed: false };
      return {
        state: { ...state, lastNotifiedAt: now, value },
        notify: { status: 'firing', repeat: true },
        changed: true,
      };
    }
  }
}

function fire(state: AlertInstanceState, from: AlertStatus, now: Date): AlertStep {
  return {
    state: { ...state, status: 'firing', firedAt: now, lastNotifiedAt: now },
    transition: { from, to: 'firing' },
    notify: { status: 'firing', repeat: false },
    changed: true,
  };
}
