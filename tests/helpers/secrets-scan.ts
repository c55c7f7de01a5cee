// Where a secret could leak from a worker, made searchable: every line the in-process worker logs
// (the Temporal runtime's logger, the same scrubbing writer the production worker installs, turned
// up to TRACE for the capture), and a workflow history both as the server stores it and with each
// payload opened by the test codec.
import type { Payload } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { writeScrubbed } from '../../temporal/runtime.js';
import { testDataConverter } from './codec.js';

export interface CapturedLogs {
  lines: string[];
  stop(): void;
}

/**
 * Tees the runtime logger into `lines` at TRACE until stopped (what the worker would print with
 * LOG_LEVEL=trace); the console still gets what the preloaded runtime lets through. The runtime is
 * process-global and installed once, so its logger is retuned in place and restored afterwards.
 */
export function captureWorkerLogs(): CapturedLogs {
  const logger = Runtime.instance().logger;
  if (!(logger instanceof DefaultLogger))
    throw new Error('the Temporal runtime has no DefaultLogger to capture (is tests/helpers/quiet-runtime.mjs preloaded?)');
  const tuned = logger as unknown as { severity: number; logFunction: (entry: LogEntry) => void };
  const saved = { severity: tuned.severity, logFunction: tuned.logFunction };
  const lines: string[] = [];
  tuned.severity = 0;
  tuned.logFunction = (entry) => {
    writeScrubbed(entry, (line) => lines.push(line));
    if (['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'].indexOf(entry.level) >= saved.severity) saved.logFunction(entry);
  };
  return {
    lines,
    stop: () => Object.assign(tuned, saved),
  };
}

function isPayload(v: unknown): v is Payload {
  return typeof v === 'object' && v !== null && 'data' in v && 'metadata' in v && (v as Payload).data instanceof Uint8Array;
}

function payloadsIn(v: unknown, out: Payload[]): Payload[] {
  if (isPayload(v)) out.push(v);
  else if (Array.isArray(v)) for (const x of v) payloadsIn(x, out);
  else if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) for (const x of Object.values(v)) payloadsIn(x, out);
  return out;
}

/** The history as stored (JSON, payloads still sealed), and every payload's content opened by the test codec. */
export async function historyTexts(history: temporal.api.history.v1.IHistory): Promise<{ raw: string; decoded: string[] }> {
  const raw = JSON.stringify(historyToJSON(history));
  const decoded: string[] = [];
  for (const sealed of payloadsIn(history.events ?? [], [])) {
    let p: Payload = sealed;
    // Codecs run in reverse order to decode, as the SDK does.
    for (const codec of [...(testDataConverter.payloadCodecs ?? [])].reverse()) p = (await codec.decode([p]))[0] ?? p;
    decoded.push(Buffer.from(p.data ?? new Uint8Array()).toString('utf8'));
  }
  return { raw, decoded };
}

/** The forms a secret takes in text: itself, and base64 of it (a payload's data in history JSON). */
export const secretForms = (secret: string): string[] => [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')];
