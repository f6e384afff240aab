import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../clock/clock.ts';
import {
  type AlertInstanceState,
  type AlertStep,
  type AlertTiming,
  stepAlert,
} from './alert-state-machine.ts';

const MIN = 60_000;

/** Drives one instance through observations with a manual clock, as the evaluator would. */
function driver(timing: AlertTiming) {
  const clock = manualClock();
  let state: AlertInstanceState | undefined;
  let ids = 0;
  return {
    clock,
    observe(holds: boolean | undefined, value = holds ? 10 : 1): AlertStep {
      const step = stepAlert(state, { holds, value, now: clock.now() }, timing, () => `i${++ids}`);
      state = step.state;
      return step;
    },
    get state() {
      return state;
    },
  };
}

describe('stepAlert', () => {
  it('fires at once without for:, once, then reminds every renotify interval, then resolves', () => {
    const d = driver({ forMs: 0, renotifyMs: 60 * MIN });
    expect(d.observe(false)).toEqual({
      state: expect.objectContaining({ status: 'inactive' }),
      changed: false,
    });
    const fired = d.observe(true);
    expect(fired.transition).toEqual({ from: 'inactive', to: 'firing' });
    expect(fired.notify).toEqual({ status: 'firing', repeat: false });
    expect(fired.state).toMatchObject({ instanceId: 'i1', firedAt: d.clock.now(), value: 10 });

    d.clock.advance(59 * MIN);
    expect(d.observe(true)).toMatchObject({ changed: false });
    d.clock.advance(MIN);
    expect(d.observe(true)).toMatchObject({ notify: { status: 'firing', repeat: true }, changed: true });
    expect(d.state?.lastNotifiedAt).toEqual(d.clock.now());
    d.clock.advance(30 * MIN);
    expect(d.observe(true).notify).toBeUndefined();

    const resolved = d.observe(false);
    expect(resolved.transition).toEqual({ from: 'firing', to: 'resolved' });
    expect(resolved.notify).toEqual({ status: 'resolved', repeat: false });
    expect(resolved.state).toMatchObject({ instanceId: 'i1', resolvedAt: d.clock.now(), value: 1 });
    expect(d.observe(false).changed).toBe(false);

    // The next episode is a new instance (a new PagerDuty incident).
    const again = d.observe(true);
    expect(again.transition).toEqual({ from: 'resolved', to: 'firing' });
    expect(again.state.instanceId).toBe('i2');
  });

  it('waits out for: while pending, and never notifies an episode that ends before it', () => {
    const d = driver({ forMs: 5 * MIN, renotifyMs: 60 * MIN });
    const pending = d.observe(true);
    expect(pending).toMatchObject({ transition: { from: 'inactive', to: 'pending' }, changed: true });
    expect(pending.notify).toBeUndefined();
    const start = d.clock.now();
    d.clock.advance(4 * MIN);
    expect(d.observe(true).changed).toBe(false);
    const ended = d.observe(false);
    expect(ended).toMatchObject({ transition: { from: 'pending', to: 'inactive' } });
    expect(ended.notify).toBeUndefined();

    d.observe(true);
    d.clock.advance(5 * MIN);
    const fired = d.observe(true);
    expect(fired.transition).toEqual({ from: 'pending', to: 'firing' });
    expect(fired.state).toMatchObject({ instanceId: 'i2', firedAt: d.clock.now() });
    expect(fired.state.activeSince!.getTime() - start.getTime()).toBe(4 * MIN);
  });

  it('changes nothing when the metric has no value, whatever the state', () => {
    const d = driver({ forMs: MIN, renotifyMs: MIN });
    expect(d.observe(undefined).changed).toBe(false);
    d.observe(true);
    expect(d.observe(undefined)).toMatchObject({ changed: false, state: { status: 'pending' } });
    d.clock.advance(MIN);
    d.observe(true);
    d.clock.advance(10 * MIN);
    expect(d.observe(undefined)).toMatchObject({ changed: false, state: { status: 'firing' } });
  });
});

describe('stepAlert over any sequence of observations', () => {
  const observation = fc.record({
    advanceMs: fc.integer({ min: 0, max: 20 * MIN }),
    holds: fc.option(fc.boolean(), { nil: undefined }),
  });
  const timing = fc.record({
    forMs: fc.constantFrom(0, MIN, 5 * MIN),
    renotifyMs: fc.constantFrom(MIN, 10 * MIN, 60 * MIN),
  });

  it('notifies once per transition or interval: fire, remind, resolve, in that order, each when due', () => {
    fc.assert(
      fc.property(timing, fc.array(observation, { maxLength: 60 }), (t, observations) => {
        const d = driver(t);
        let lastFalseAt = -Infinity;
        let lastFiringNotice: number | undefined;
        let firing = false;
        for (const o of observations) {
          d.clock.advance(o.advanceMs);
          const now = d.clock.now().getTime();
          const step = d.observe(o.holds);
          if (step.notify?.status === 'firing' && !step.notify.repeat) {
            // Fires only when not already firing, after the condition held for `for:` with no false reading.
            expect(firing).toBe(false);
            const since = step.state.activeSince!.getTime();
            expect(now - since).toBeGreaterThanOrEqual(t.forMs);
            // No false reading since the episode began. One in the same millisecond came before it: a false
            // reading ends an episode, so one can only begin at or after the last.
            expect(lastFalseAt).toBeLessThanOrEqual(since);
            firing = true;
            lastFiringNotice = now;
          } else if (step.notify?.status === 'firing') {
            expect(firing).toBe(true);
            expect(now - lastFiringNotice!).toBeGreaterThanOrEqual(t.renotifyMs);
            lastFiringNotice = now;
          } else if (step.notify?.status === 'resolved') {
            expect(firing).toBe(true);
            expect(o.holds).toBe(false);
            firing = false;
          }
          if (o.holds === false) lastFalseAt = now;
          expect(step.state.status === 'firing').toBe(firing);
          // Something is stored exactly when there is a transition or a notification.
          expect(step.changed).toBe(step.transition !== undefined || step.notify !== undefined);
        }
      }),
    );
  });
});
