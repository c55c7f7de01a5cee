// Shared pieces of the property-based fuzz tests (tests/integration/fuzz-api-*.test.ts,
// tests/unit/fuzz-classifier-*.test.ts): run budgets, the replay knobs, hostile text and a deadline.
//
// The default runs (npm test, CI) total about 7,500 cases across the fuzz files in under 4 minutes
// on the 2-core CI machine. FUZZ_RUNS multiplies every property's number of runs and time budget
// (FUZZ_RUNS=20 for a long manual run); FUZZ_SEED (and FUZZ_PATH, both printed by fast-check with a
// counterexample) replay a failure: FUZZ_SEED=<seed> FUZZ_PATH=<path> node --import tsx --test <file>
// with --test-name-pattern naming the property.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';

const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const PATH = process.env.FUZZ_PATH;
/** This process's seed: FUZZ_SEED, else a fresh one, printed in each file's summaries so a passing run can be repeated too. */
export const SEED = process.env.FUZZ_SEED === undefined ? (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0 : Number(process.env.FUZZ_SEED);

/** `numRuns` scaled by FUZZ_RUNS (at least one run). */
export const runs = (n: number): number => Math.max(1, Math.round(n * (Number.isFinite(SCALE) && SCALE > 0 ? SCALE : 1)));

/**
 * The share of its runs a property must reach before its time budget interrupts it. An
 * interrupted property passes with whatever it ran, so without a floor a loaded machine would
 * pass a fuzzer that tried a handful of inputs. Measured on the shared 2-core box at a load of
 * 7 to 10: every property finished all its runs, in 15% to 65% of its budget (the slowest,
 * classifier mutations, 1,000 runs in 12.8 s of 20 s), so half holds at about three times that load.
 */
export const MIN_RUN_SHARE = 0.5;

/** The fewest runs a property of `numRuns` (before scaling) may stop at: MIN_RUN_SHARE of them, at least one. */
export const minRuns = (numRuns: number): number => Math.max(1, Math.ceil(runs(numRuns) * MIN_RUN_SHARE));

/** Fails a property that passed but was interrupted below its floor (a replay of one FUZZ_PATH is exempt). */
function runFloor<T>(numRuns: number, budgetMs: number): fc.Plugin<T> {
  const floor = minRuns(numRuns);
  return () => ({
    onAllRunsComplete(d) {
      if (d.failed || PATH !== undefined || d.numRuns >= floor) return;
      throw new Error(
        `only ${d.numRuns} of ${runs(numRuns)} runs within the ${runs(budgetMs)} ms budget (at least ${floor} required, seed ${SEED}): ` +
          'the machine was too slow for this property to have tried enough inputs',
      );
    },
  });
}

/**
 * The options of one fc.assert: its run count, the seed (SEED), the replay path when given, the failing
 * check's own message in the report, and a time budget. The budget bounds shrinking when every
 * failing attempt is slow (a hang costs its whole deadline each time): a property still running
 * after `budgetMs` stops and reports the smallest counterexample found so far; one that passed but
 * stopped below minRuns(numRuns) fails. Scaled with the runs.
 */
export function fuzzOptions<T>(numRuns: number, budgetMs: number, extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  return {
    numRuns: runs(numRuns),
    includeErrorInReport: true,
    interruptAfterTimeLimit: runs(budgetMs),
    seed: SEED,
    ...(PATH !== undefined && { path: PATH }),
    ...extra,
    plugins: [runFloor<T>(numRuns, budgetMs), ...(extra.plugins ?? [])],
  };
}

/** Characters that broke text handling somewhere: NUL, lone surrogates, RTL override, BOM, emoji, combining marks, a dotted İ (grows when lower-cased). */
export const NASTY_CHARS = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\udc00\ud800',
  '\u202e',
  '\u200f',
  '\ufeff',
  '\uffff',
  '\ufffd',
  '\u2028',
  '💥',
  '👩‍👩‍👧',
  '\u0301',
  'İ',
  'ß',
  'ﬃ',
  '\u001b',
  '\u007f',
  '\r',
  '\n',
  '\t',
  '"',
  "'",
  '\\',
  '%',
  '&',
  '<',
  '>',
  '/',
  '..',
  '?',
  '#',
  '=',
  '+',
  ';',
  ',',
  ' ',
];

/** One character: anything Unicode has (paired surrogates included), or one of the nasty ones. */
export const nastyChar: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), weight: 2 },
  { arbitrary: fc.constantFrom(...NASTY_CHARS), weight: 3 },
);

/** A short hostile string: mostly plain, sometimes any Unicode, lone surrogates and NUL included. */
export const nastyString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: fc.string({ maxLength }), weight: 2 },
    { arbitrary: fc.string({ unit: nastyChar, maxLength }), weight: 3 },
    {
      arbitrary: fc.constantFrom('', ' ', '0', '-1', '1e400', 'NaN', 'true', 'null', '[]', '{}', '__proto__', 'constructor', '%00', '%C3%28', '\u0000'),
      weight: 1,
    },
  );

/** A string past any field's bound: 1 to 20 thousand repeats of one hostile character. */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.oneof(fc.constantFrom('x', 'İ', '💥', '\u0000', '\ud800', ' '), nastyChar), fc.integer({ min: 201, max: 20_000 }))
  .map(([c, n]) => c.repeat(n));

export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}

/** `work`, or a DeadlineExceeded after `ms` (a hang becomes a failing property with its input). */
export async function withDeadline<T>(what: string, ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(`${what} did not complete within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A one-line, bounded rendering of an input for assertion messages. */
export function preview(v: unknown, max = 300): string {
  const s =
    typeof v === 'string'
      ? JSON.stringify(v)
      : Buffer.isBuffer(v) || v instanceof Uint8Array
        ? `<${v.length} bytes> ${JSON.stringify(Buffer.from(v).toString('latin1'))}`
        : (JSON.stringify(v) ?? String(v));
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}

/** Saves a failing input where a person can replay it (the report names the file). */
export function saveInput(prefix: string, bytes: Uint8Array | string, ext = 'bin'): string {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes);
  const file = path.join(os.tmpdir(), `leadflow-fuzz-${prefix}-${createHash('sha256').update(data).digest('hex').slice(0, 12)}.${ext}`);
  try {
    fs.writeFileSync(file, data);
    return file;
  } catch {
    return '(could not be saved)';
  }
}
