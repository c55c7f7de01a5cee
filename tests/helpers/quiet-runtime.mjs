// Preloaded into every test process by scripts/run-tests.mjs (--import, after tsx): installs the
// Temporal Core runtime with the SDK's own logger at LOG_LEVEL (warn unless set), so worker and
// workflow INFO lines (thousands per run) stay out of the CI log and a failure is easy to find.
// The runtime is process-global and must exist before any worker or connection, hence a preload.
// Plain JavaScript and main-thread only: workflow worker threads inherit the preloads but must
// neither install a runtime nor load TypeScript before tsx is ready in them.
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const { installTemporalRuntime } = await import('../../temporal/runtime.ts');
  installTemporalRuntime({ metricsAddress: undefined, logLevel: process.env.LOG_LEVEL ?? 'warn' });
}
