// Cancels a request to the upstream when the client leaves. undici takes an EventEmitter with an
// `aborted` flag as its signal; one costs a fraction of an AbortController (an EventTarget), which the
// profile of the gateway under load showed on every request.
import { EventEmitter } from 'node:events';

export class UpstreamCancel extends EventEmitter {
  aborted = false;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
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
