// classifyMail in a worker thread the test can kill: a synchronous hang (a regex backtracking for
// minutes) cannot be interrupted in-process, so each call gets a deadline after which the thread
// is terminated and a fresh one started. An exception thrown outside the returned promise (from a
// stream callback) ends the thread too, and is reported as a crash rather than taking the test
// process down.
import { Worker } from 'node:worker_threads';
import type { Classification } from '../../../domain/mail/classify/index.js';

/** What became of one call: a Classification, UnreadableMailError, another error, or no answer in time. */
export type Outcome =
  | { outcome: 'classified'; classification: Classification }
  | { outcome: 'unreadable'; error: string }
  | { outcome: 'threw'; error: string }
  | { outcome: 'timeout'; error: string }
  | { outcome: 'crashed'; error: string };
export type SandboxAnswer = { id: number; ms: number } & Outcome;

const ENTRY = new URL('./classify-worker.ts', import.meta.url).href;
const TSX = import.meta.resolve('tsx/esm/api');
// The worker is started from source: tsx is registered inside it before the entry is imported.
const BOOT = `import(${JSON.stringify(TSX)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ENTRY)}); })`;

export class ClassifierSandbox {
  private worker: Promise<Worker> | null = null;
  private current: Worker | null = null;
  private nextId = 0;
  private readonly pending = new Map<number, (a: SandboxAnswer) => void>();
  /** Threads terminated after a deadline or a crash. */
  restarts = 0;

  private start(): Promise<Worker> {
    return new Promise((resolve, reject) => {
      const w = new Worker(BOOT, { eval: true });
      let ready = false;
      w.on('message', (m: SandboxAnswer | 'ready') => {
        if (m === 'ready') {
          ready = true;
          this.current = w;
          resolve(w);
          return;
        }
        this.pending.get(m.id)?.(m);
        this.pending.delete(m.id);
      });
      w.on('error', (err) => {
        if (!ready) {
          reject(err);
          return;
        }
        if (this.current === w) {
          this.worker = null;
          this.current = null;
        }
        this.restarts++;
        for (const [id, settle] of this.pending) settle({ id, ms: 0, outcome: 'crashed', error: String(err.stack ?? err) });
        this.pending.clear();
      });
    });
  }

  /** One call at a time: a call fast-check gave up waiting for still ends by its own deadline first. */
  private queue: Promise<unknown> = Promise.resolve();

  /** Classifies `raw` in the worker; a call still running after `deadlineMs` is a timeout. */
  classify(raw: Buffer, deadlineMs: number): Promise<SandboxAnswer> {
    const run = this.queue.then(() => this.run(raw, deadlineMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(raw: Buffer, deadlineMs: number): Promise<SandboxAnswer> {
    this.worker ??= this.start();
    const worker = await this.worker;
    const id = this.nextId++;
    return new Promise<SandboxAnswer>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        if (this.current === worker) {
          this.worker = null;
          this.current = null;
        }
        this.restarts++;
        void worker.terminate();
        resolve({ id, ms: deadlineMs, outcome: 'timeout', error: `classifyMail did not return within ${deadlineMs} ms (the thread was terminated)` });
      }, deadlineMs);
      this.pending.set(id, (a) => {
        clearTimeout(timer);
        resolve(a);
      });
      worker.postMessage({ id, raw });
    });
  }

  async close(): Promise<void> {
    await this.queue;
    const w = this.worker;
    this.worker = null;
    this.current = null;
    if (w !== null) await (await w).terminate();
  }
}
