// Time-boxed fault storms for the SaaS stand-ins (chaos tests): while a storm is on, a share of
// the provider's requests fail the way real outages look from the client — a 5xx burst, 429 with
// Retry-After, an answer that never comes before the client's timeout, or a connection reset.
// Unlike ScriptedFault (one fault per request, in order) a storm lasts for a wall-clock window,
// so it overlaps whatever the product happens to be doing: retries, restarts, other faults.
import type { Reply } from './http.js';

export type FaultKind = '5xx' | '429' | 'hang' | 'reset';

export interface StormOptions {
  /** Share of requests hit while the storm is on (default 1: every request). */
  rate?: number;
  /** 429: the Retry-After header in seconds (default 2). */
  retryAfterSeconds?: number;
  /** hang: how long the answer is held (default 20 s, longer than the product's 15 s client timeouts). */
  hangMs?: number;
  /**
   * hang/reset only. false (default): the provider never takes the request (a front end that
   * hangs or drops the connection). true: the provider accepts the message and only the answer is
   * lost (the client cannot know whether it was sent) — the stand-in must count it as accepted.
   */
  afterAccept?: boolean;
}

export interface ActiveFault {
  kind: FaultKind;
  retryAfterSeconds: number;
  hangMs: number;
  afterAccept: boolean;
}

interface Storm extends ActiveFault {
  until: number;
  rate: number;
}

export class FaultStorms {
  private storms: Storm[] = [];
  /** Faults injected so far, by kind (`hang+accepted` / `reset+accepted` for the after-accept variants). */
  readonly injected: Record<string, number> = {};
  /** Storms started so far, by kind. */
  readonly started: Record<string, number> = {};

  constructor(private readonly random: () => number = Math.random) {}

  /** Starts a storm now, lasting `durationMs`; overlapping storms are allowed (the newest wins). */
  start(kind: FaultKind, durationMs: number, opts: StormOptions = {}): void {
    const afterAccept = opts.afterAccept === true && (kind === 'hang' || kind === 'reset');
    this.storms.push({
      kind,
      until: Date.now() + durationMs,
      rate: opts.rate ?? 1,
      retryAfterSeconds: opts.retryAfterSeconds ?? 2,
      hangMs: opts.hangMs ?? 20_000,
      afterAccept,
    });
    const name = afterAccept ? `${kind}+accepted` : kind;
    this.started[name] = (this.started[name] ?? 0) + 1;
  }

  /** Ends every storm at once. */
  calm(): void {
    this.storms = [];
  }

  /** Whether any storm is still on. */
  raging(): boolean {
    const now = Date.now();
    return this.storms.some((s) => s.until > now);
  }

  /** The fault for the request being handled, or undefined; counted when one is returned. */
  pick(): ActiveFault | undefined {
    const now = Date.now();
    this.storms = this.storms.filter((s) => s.until > now);
    const storm = this.storms[this.storms.length - 1];
    if (storm === undefined || this.random() >= storm.rate) return undefined;
    const name = storm.afterAccept ? `${storm.kind}+accepted` : storm.kind;
    this.injected[name] = (this.injected[name] ?? 0) + 1;
    return { kind: storm.kind, retryAfterSeconds: storm.retryAfterSeconds, hangMs: storm.hangMs, afterAccept: storm.afterAccept };
  }

  total(): number {
    return Object.values(this.injected).reduce((a, b) => a + b, 0);
  }
}

/**
 * The reply for a fault that struck before the provider took the request. `error` builds the
 * provider's own error body for a status (and any extra headers). 5xx storms alternate 500, 502
 * and 503 as a real incident does.
 */
export function stormReply(f: ActiveFault, error: (status: number, headers: Record<string, string>) => Reply, seq: number): Reply {
  switch (f.kind) {
    case '5xx':
      return error([500, 502, 503][seq % 3] ?? 500, {});
    case '429':
      return error(429, { 'retry-after': String(f.retryAfterSeconds) });
    // Held past the client's timeout, then dropped: nothing was accepted.
    case 'hang':
      return { status: 503, body: undefined, delayMs: f.hangMs, reset: true };
    case 'reset':
      return { status: 0, body: undefined, reset: true };
  }
}

/** After-accept variants: the success answer the provider would have sent, held or dropped instead. */
export function lostAnswer(f: ActiveFault, success: Reply): Reply {
  return f.kind === 'hang' ? { ...success, delayMs: f.hangMs, reset: true } : { ...success, delayMs: 0, reset: true };
}
