// A doctor check: one dependency, whether it is required, and what an operator should do.
export interface CheckOutcome {
  name: string;
  required: boolean;
  ok: boolean;
  detail: string;
  latencyMs?: number;
}

export type Check = () => Promise<CheckOutcome>;

/** Runs fn with a deadline; an error or timeout becomes a failed outcome, never a crash. */
export async function probe(name: string, required: boolean, fn: () => Promise<string>, timeoutMs = 5000): Promise<CheckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const running = fn();
    running.catch(() => undefined); // a late failure after the timeout must not go unhandled
    const detail = await Promise.race([
      running,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name, required, ok: true, detail, latencyMs: ms() };
  } catch (err) {
    return { name, required, ok: false, detail: describeError(err), latencyMs: ms() };
  } finally {
    clearTimeout(timer);
  }
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  const nested = (err as { cause?: unknown }).cause;
  const msg = err.message || (err as { errors?: Error[] }).errors?.map((e) => e.message).join('; ') || err.name;
  return [code && !msg.includes(code) ? `${code}:` : '', msg, nested instanceof Error ? `(${nested.message})` : ''].filter(Boolean).join(' ');
}
