// The classifier fuzzers' contract (tests/unit/fuzz-classifier-*.test.ts): for ANY bytes,
// classifyMail resolves with a well-shaped Classification (kind in the known set) or rejects with
// UnreadableMailError — never another error, never a hang, never a call slower than SLOW_MS. The
// classifier runs in a worker thread that is terminated when a call overruns (a synchronous hang
// cannot be interrupted in-process: classify-sandbox.ts).
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import fc from 'fast-check';
import type { Classification } from '../../../domain/mail/classify/index.js';
import { ClassifierSandbox } from './classify-sandbox.js';
import { preview, saveInput, SEED } from './support.js';

/** No single message may take longer than this (the largest generated input is ~300 KB). */
export const SLOW_MS = 2000;

const KINDS = new Set(['adf-lead', 'reply', 'auto-reply', 'bounce', 'complaint', 'other']);
const BOUNCE_TYPES = new Set(['hard', 'soft', 'block']);
const INTENTS = new Set(['interested', 'question', 'not_interested', 'unsubscribe', 'out_of_office', 'wrong_person', 'other']);

const nullableString = (v: unknown, what: string) => assert.ok(v === null || typeof v === 'string', `${what} is ${inspect(v)}`);
const stringList = (v: unknown, what: string) => assert.ok(Array.isArray(v) && v.every((x) => typeof x === 'string'), `${what} is ${inspect(v)}`);

/** The Classification contract (domain/mail/classify/types.ts), field by field. */
export function assertClassification(c: Classification): void {
  assert.ok(typeof c === 'object' && c !== null, `resolved with ${inspect(c)}`);
  assert.ok(KINDS.has(c.kind), `kind ${inspect(c.kind)}`);
  for (const k of ['inReplyTo', 'originalMessageId', 'messageId', 'from', 'subject'] as const) nullableString(c[k], k);
  stringList(c.references, 'references');
  stringList(c.recipients, 'recipients');
  if (c.kind === 'bounce') {
    assert.ok(c.bounce !== undefined && BOUNCE_TYPES.has(c.bounce.type), `bounce ${inspect(c.bounce)}`);
    for (const k of ['recipient', 'status', 'diagnostic'] as const) nullableString(c.bounce[k], `bounce.${k}`);
  }
  if (c.kind === 'reply' || c.kind === 'auto-reply') {
    assert.equal(typeof c.replyText, 'string', 'replyText');
    assert.ok(c.intent !== undefined && INTENTS.has(c.intent), `intent ${inspect(c.intent)}`);
  }
  if (c.kind === 'auto-reply') {
    nullableString(c.returnDate, 'returnDate');
    if (typeof c.returnDate === 'string') assert.match(c.returnDate, /^\d{4}-\d{2}-\d{2}$/, 'returnDate is a calendar date');
  }
  if (c.kind === 'adf-lead') assert.ok(Array.isArray(c.prospects) && c.prospects.length > 0, 'an ADF lead has prospects');
  // Plain JSON: it crosses into workflows and the CLI's output as is.
  assert.doesNotThrow(() => JSON.stringify(c));
}

interface Stats {
  runs: number;
  kinds: Record<string, number>;
  unreadable: number;
  maxMs: number;
  maxBytes: number;
}

/** Checks inputs against the contract in one sandbox, and keeps counts for each property's summary. */
export class MailFuzz {
  private readonly sandbox = new ClassifierSandbox();
  /** The input of the last failing run: after shrinking, the reported counterexample. */
  private lastFailing: Buffer | null = null;
  stats: Stats = MailFuzz.newStats();

  private static newStats(): Stats {
    return { runs: 0, kinds: {}, unreadable: 0, maxMs: 0, maxBytes: 0 };
  }

  /** Fresh counts, for the next property's summary. */
  reset(): void {
    this.stats = MailFuzz.newStats();
    this.lastFailing = null;
  }

  /** fc.assert with fresh counts, the counterexample's bytes saved to a file named in the failure. */
  async assertProperty<T>(property: fc.IAsyncPropertyWithHooks<T>, params: fc.Parameters<T>): Promise<void> {
    this.reset();
    try {
      await fc.assert(property, params);
    } catch (err) {
      if (this.lastFailing !== null && err instanceof Error)
        err.message += `\nThe counterexample's bytes are saved in ${saveInput('mail', this.lastFailing, 'eml')}`;
      throw err;
    }
  }

  /** The contract for one input. */
  async check(raw: Buffer): Promise<void> {
    const a = await this.sandbox.classify(raw, SLOW_MS);
    const s = this.stats;
    s.runs++;
    s.maxMs = Math.max(s.maxMs, a.ms);
    s.maxBytes = Math.max(s.maxBytes, raw.length);
    const input = () => {
      this.lastFailing = raw;
      return `${raw.length} bytes: ${preview(raw, 240)}`;
    };
    switch (a.outcome) {
      case 'timeout':
      case 'crashed':
      case 'threw':
        assert.fail(`${a.error}\n  input ${input()}`);
        break;
      case 'unreadable':
        assert.ok(a.error.length > 0, 'an UnreadableMailError says why');
        s.unreadable++;
        break;
      case 'classified':
        assertClassification(a.classification);
        s.kinds[a.classification.kind] = (s.kinds[a.classification.kind] ?? 0) + 1;
    }
    if (a.ms >= SLOW_MS) assert.fail(`classifying took ${a.ms.toFixed(0)} ms (bound ${SLOW_MS} ms)\n  input ${input()}`);
  }

  summary(): string {
    const s = this.stats;
    return `${s.runs} inputs: ${JSON.stringify(s.kinds)}, ${s.unreadable} unreadable; slowest ${s.maxMs.toFixed(0)} ms; largest ${s.maxBytes} bytes; ${this.sandbox.restarts} sandbox restarts; seed ${SEED}`;
  }

  close(): Promise<void> {
    return this.sandbox.close();
  }
}
