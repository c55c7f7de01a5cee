// The Temporal Core runtime is process-global and must be installed before any worker or
// native connection exists; this is where the SDK's own Prometheus metrics get switched on.
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

let installed = false;

export function installTemporalRuntime(opts: { metricsAddress: string | undefined; logLevel: string }): void {
  if (installed) return;
  installed = true;
  const level = (['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'].includes(opts.logLevel.toUpperCase()) ? opts.logLevel.toUpperCase() : 'WARN') as LogLevel;
  Runtime.install({
    logger: new DefaultLogger(level),
    telemetryOptions: opts.metricsAddress === undefined ? {} : { metrics: { prometheus: { bindAddress: opts.metricsAddress } } },
  });
}
