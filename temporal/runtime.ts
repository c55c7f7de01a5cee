// The Temporal Core runtime is process-global and must be installed before any worker or
// native connection exists; this is where the SDK's own Prometheus metrics get switched on.
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import { scrub, scrubText } from '../config/scrub.js';

/** One JSON line per SDK log entry, e-mail addresses and phone numbers scrubbed from every value. */
export function writeScrubbed(entry: LogEntry, out: (line: string) => void = (l) => process.stderr.write(l)): void {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  out(
    `${JSON.stringify({ time, level: entry.level.toLowerCase(), name: 'temporal', msg: scrubText(entry.message), ...(scrub(entry.meta ?? {}) as object) })}\n`,
  );
}

let installed = false;

export function installTemporalRuntime(opts: { metricsAddress: string | undefined; logLevel: string }): void {
  if (installed) return;
  installed = true;
  const level = (['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'].includes(opts.logLevel.toUpperCase()) ? opts.logLevel.toUpperCase() : 'WARN') as LogLevel;
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => writeScrubbed(entry)),
    telemetryOptions: opts.metricsAddress === undefined ? {} : { metrics: { prometheus: { bindAddress: opts.metricsAddress } } },
  });
}
