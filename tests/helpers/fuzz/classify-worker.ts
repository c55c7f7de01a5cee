// The worker thread behind ClassifierSandbox (classify-sandbox.ts): classifies each message it is
// sent and answers with the outcome and the time the call took. A call that never returns is
// ended by the parent terminating this thread, which is why the classifier runs here at all.
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { inspect } from 'node:util';
import { classifyMail, UnreadableMailError } from '../../../domain/mail/classify/index.js';
import type { Outcome, SandboxAnswer } from './classify-sandbox.js';

const port = parentPort;
if (port === null) throw new Error('classify-worker.ts runs as a worker thread');

port.on('message', (m: { id: number; raw: Uint8Array }) => {
  const start = performance.now();
  const answer = (a: Outcome) => port.postMessage({ id: m.id, ms: performance.now() - start, ...a } satisfies SandboxAnswer);
  classifyMail(Buffer.from(m.raw)).then(
    (classification) => answer({ outcome: 'classified', classification }),
    (err: unknown) => answer(err instanceof UnreadableMailError ? { outcome: 'unreadable', error: err.message } : { outcome: 'threw', error: inspect(err) }),
  );
});
// Warmed before it says ready (the parent waits for that without a deadline): the first call in a
// thread loads and compiles what classifying needs, chrono's date grammar alone about a second,
// which is no property of the input a fuzzer would then time.
const warmUp = fs.readFileSync(new URL('../../fixtures/mail/ooo-auto-submitted.eml', import.meta.url));
await classifyMail(warmUp).catch(() => undefined);
port.postMessage('ready');
