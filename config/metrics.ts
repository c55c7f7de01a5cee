// Process metrics (CPU, memory, event loop) on prom-client's default registry, once per process,
// whichever endpoint (API or standalone worker) serves it.
import { collectDefaultMetrics, register } from 'prom-client';

let collecting = false;

export function collectProcessMetrics(): void {
  if (collecting) return;
  collecting = true;
  collectDefaultMetrics({ prefix: 'leadflow_' });
}

/**
 * The metric registered under `name`, made on first use. prom-client refuses a second metric of
 * the same name, and a module may be loaded more than once (tests, tsx and the bundle).
 */
export function singleMetric<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}
