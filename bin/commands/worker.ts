import type { Command } from 'commander';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run the Temporal workers until SIGINT/SIGTERM')
    .action(async () => {
      const { openDatabase, setup, shutdownSignal } = await import('../lib/runtime.js');
      const { config, log } = setup('worker');
      const signal = shutdownSignal(log);
      // The main thread's heap limit is fixed at start (deploy/entrypoint.sh sets it from the budget).
      const { mainHeapAdvice } = await import('../../workers/cache-budget.js');
      const { getHeapStatistics } = await import('node:v8');
      const advice = mainHeapAdvice(getHeapStatistics().heap_size_limit / 1048576, config.temporal.workerMemoryMb);
      if (advice !== null) log.warn(advice);
      const opened = await openDatabase(config, { serve: true, migrate: true });
      const { serveMetrics } = await import('../../workers/metrics-server.js');
      const metrics = config.temporal.workerMetricsAddress === undefined ? null : await serveMetrics(config.temporal.workerMetricsAddress);
      if (metrics !== null) log.info({ url: metrics.url }, 'metrics served');
      try {
        const { runWorkers } = await import('../../workers/main.js');
        await runWorkers(config, { db: opened.db, log, signal });
      } finally {
        await metrics?.close();
        await opened.close();
      }
    });
}
