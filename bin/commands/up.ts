// `leadflow up`: the whole product on one machine — Temporal dev server (child process), database
// (embedded PGlite unless DATABASE_URL), migrations, workers and API in this process. Ctrl-C
// stops everything in reverse order.
import type { Command } from 'commander';
import type { DevServer } from '../../temporal/dev-server.js';
import path from 'node:path';

export function registerUp(program: Command): void {
  program.command('up').description('run the whole product locally: Temporal dev server + Web UI, database, workers, API')
    .option('--headless', 'do not serve the Temporal Web UI')
    .action(async (opts: { headless?: boolean }) => {
      const [{ connectClient }, { startDevServer }, { ensureTemporalCli }, { openDatabase, setup, shutdownSignal }] = await Promise.all([
        import('../../temporal/connection.js'), import('../../temporal/dev-server.js'), import('../../temporal/provision/index.js'), import('../lib/runtime.js')]);
      const { config, log } = setup('up');
      // Our own controller: a failure half-way (API port taken) must stop the workers too.
      const stopAll = new AbortController();
      shutdownSignal(log).addEventListener('abort', () => stopAll.abort(), { once: true });
      const signal = stopAll.signal;
      const cleanups: Array<() => Promise<void>> = [];
      try {
        let dev: DevServer | null = null;
        if (config.temporal.embedded) {
          const cli = await ensureTemporalCli((m) => log.info(m));
          if (cli === null) throw new Error('no Temporal CLI: set TEMPORAL_CLI, put `temporal` on PATH, or install Go so it can be built');
          const port = Number(config.temporal.address.split(':').pop());
          dev = await startDevServer({
            cliPath: cli.path, dataDir: path.join(config.dataDir, 'temporal'), port, uiPort: config.temporal.uiPort,
            namespace: config.temporal.namespace, headless: opts.headless ?? false, onOutput: (line) => log.debug({ temporal: line }),
          });
          const server = dev;
          cleanups.unshift(() => server.stop());
          log.info({ temporalAddress: dev.address }, 'Temporal dev server started');
        }
        const opened = await openDatabase(config, { serve: true, apiUrl: config.api.publicUrl, migrate: true });
        cleanups.unshift(() => opened.close());

        const { runWorkers } = await import('../../workers/main.js');
        const workers = runWorkers(config, { db: opened.db, log, signal });
        cleanups.unshift(async () => { stopAll.abort(); await workers.catch(() => undefined); });
        const temporal = await connectClient(config.temporal);
        cleanups.unshift(() => temporal.connection.close());
        const { buildApp } = await import('../../api/app.js');
        const { appDepsFromConfig } = await import('../lib/app-deps.js');
        const app = await buildApp(await appDepsFromConfig(config, opened.db, temporal, log));
        await app.listen({ host: config.api.host, port: config.api.port });
        cleanups.unshift(() => app.close());

        const apiUrl = `http://${config.api.host}:${config.api.port}`;
        console.log([
          '',
          'leadflow is up',
          `  API             ${apiUrl}/`,
          `  health          ${apiUrl}/health`,
          `  metrics         ${apiUrl}/metrics${config.temporal.sdkMetricsAddress ? `  (Temporal SDK: http://${config.temporal.sdkMetricsAddress}/metrics)` : ''}`,
          `  Temporal        ${config.temporal.address} (namespace ${config.temporal.namespace})`,
          `  Temporal Web UI ${dev?.uiUrl ?? config.temporal.uiUrl}`,
          `  database        ${opened.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)'}`,
          '',
          'Try: npx leadflow leads add --email jane@example.com --first Jane --last Doe',
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'));
        await workers;
      } finally {
        for (const cleanup of cleanups) {
          try { await cleanup(); } catch (err) { log.warn({ err }, 'error during shutdown'); }
        }
        log.info('stopped');
      }
    });
}
