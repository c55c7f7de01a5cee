// Tiny concurrency helpers for the mailbox watcher, kept apart so the watcher reads as protocol
// logic rather than promise plumbing.

/**
 * A level-triggered wake-up: fire() before wait() is not lost. The watcher drains the mailbox,
 * then waits; new mail, the safety poll, a closed connection or an abort fire it. An event that
 * lands while a drain is still running must make the following wait() return at once, or that
 * message would sit unprocessed until the next poll.
 */
export class Wakeup {
  private pending = false;
  private waiter: (() => void) | null = null;

  fire(): void {
    this.pending = true;
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Forgets earlier fires; call right before the work that a later fire should repeat. */
  clear(): void {
    this.pending = false;
  }

  wait(): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiter = () => {
        this.pending = false;
        resolve();
      };
    });
  }
}

/** Sleeps `ms`, or less when `signal` aborts; never rejects. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Settles after `ms` with `undefined`; for racing a promise that may never settle. */
export function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
