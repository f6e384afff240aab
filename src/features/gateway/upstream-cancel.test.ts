import { describe, expect, it } from 'vitest';
import { UpstreamCancel } from './upstream-cancel.ts';

describe('UpstreamCancel', () => {
  it('calls every watcher once on abort, and none that was unwatched', () => {
    const cancel = new UpstreamCancel();
    const calls: string[] = [];
    const first = () => calls.push('first');
    const second = () => calls.push('second');
    const third = () => calls.push('third');
    const listener = () => calls.push('listener');
    cancel.watch(first);
    cancel.watch(second);
    cancel.watch(third);
    cancel.on('abort', listener);
    cancel.unwatch(second);
    cancel.abort();
    cancel.abort();
    expect(calls.sort()).toEqual(['first', 'listener', 'third']);
    expect(cancel.listenerCount('abort')).toBe(1);
  });

  it('frees the watcher slot when its watcher is unwatched', () => {
    const cancel = new UpstreamCancel();
    const calls: string[] = [];
    const first = () => calls.push('first');
    cancel.watch(first);
    cancel.unwatch(first);
    cancel.watch(() => calls.push('next'));
    cancel.abort();
    expect(calls).toEqual(['next']);
    expect(cancel.listenerCount('abort')).toBe(0);
  });
});
