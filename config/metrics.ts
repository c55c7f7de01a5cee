// Process metrics (CPU, memory, event loop) on prom-client's default registry, once per process,
// whichever endpoint (API or standalone worker) serves it.
import { collectDefaultMetrics } from 'prom-client';

let collecting = false;

export function collectProcessMetrics(): void {
  if (collecting) return;
  collecting = true;
  collectDefaultMetrics({ prefix: 'leadflow_' });
}
