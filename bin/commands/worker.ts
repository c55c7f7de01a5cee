import type { Command } from 'commander';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run the Temporal workers until SIGINT/SIGTERM')
    .action(async () => {
      const { openDatabase, setup, shutdownSignal } = await import('../lib/runtime.js');
      const { config, log } = setup('worker');
      const signal = shutdownSignal(log);
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
