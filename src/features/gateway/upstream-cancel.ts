// Cancels a request to the upstream when the client leaves. undici takes an EventEmitter with an
// `aborted` flag as its signal; one costs a fraction of an AbortController (an EventTarget), which the
// profile of the gateway under load showed on every request.
import { EventEmitter } from 'node:events';

export class UpstreamCancel extends EventEmitter {
  aborted = false;
  /**
   * The one watcher the gateway's own dispatch sets (dispatched-answer.ts), called before the `abort`
   * listeners: a field rather than a listener, as `once` wraps each listener in objects of its own, on
   * every request.
   */
  #watcher: (() => void) | undefined;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const watcher = this.#watcher;
    this.#watcher = undefined;
    watcher?.();
    this.emit('abort');
  }

  /**
   * Calls `watcher` once, on abort, unless unwatched first. A second one at a time (a retried answer held
   * while the next try is sent) is an ordinary listener.
   */
  watch(watcher: () => void): void {
    if (this.#watcher === undefined) this.#watcher = watcher;
    else this.once('abort', watcher);
  }

  unwatch(watcher: () => void): void {
    if (this.#watcher === watcher) this.#watcher = undefined;
    else this.removeListener('abort', watcher);
  }

  /** Waits `ms`; false when cancelled first (at once if already cancelled). */
  sleep(ms: number): Promise<boolean> {
    if (this.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.removeListener('abort', onAbort);
        resolve(true);
      }, ms);
      this.once('abort', onAbort);
    });
  }
}
