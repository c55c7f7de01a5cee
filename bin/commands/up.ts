// `leadflow up`: the whole product on one machine — Temporal dev server (child process), database
// (embedded PGlite unless DATABASE_URL), migrations, workers and API in this process. Ctrl-C or
// SIGTERM stops it in order, each step bounded and logged: the API (no new work), the workers
// (within their shutdown grace), the Temporal dev server, then the database the others used.
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import type { DevServer } from '../../temporal/dev-server.js';
import path from 'node:path';
import type { Logger } from '../../config/logger.js';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('run the whole product locally: Temporal dev server + Web UI, database, workers, API')
    .option('--headless', 'do not serve the Temporal Web UI')
    .action(async (opts: { headless?: boolean }) => {
      const [{ connectClient }, { startDevServer }, { ensureTemporalCli }, { openDatabase, setup, shutdownSignal }] = await Promise.all([
        import('../../temporal/connection.js'),
        import('../../temporal/dev-server.js'),
        import('../../temporal/provision/index.js'),
        import('../lib/runtime.js'),
      ]);
      const { config, log } = setup('up');
      // A signal ends the wait below; the workers are stopped by their own step, after the API.
      const stopRequested = shutdownSignal(log);
      const requested = new Promise<void>((resolve) => stopRequested.addEventListener('abort', () => resolve(), { once: true }));
      const stopWorkers = new AbortController();
      const steps: ShutdownSteps = { api: null, workers: null, temporal: null, db: null };
      try {
        let dev: DevServer | null = null;
        // The dev Web UI decrypts payloads through the API's codec server. It has no login whose
        // token it could pass, so its endpoint carries a token made for this run in its path
        // (/codec/t/<token>); the API accepts it, logs and this banner never show it.
        const codecBase = `${config.api.publicUrl.replace(/\/+$/, '')}/codec`;
        const codecToken = randomBytes(32).toString('base64url');
        if (config.temporal.embedded) {
          const cli = await ensureTemporalCli((m) => log.info(m));
          if (cli === null) throw new Error('no Temporal CLI: set TEMPORAL_CLI, put `temporal` on PATH, or install Go so it can be built');
          const port = Number(config.temporal.address.split(':').pop());
          dev = await startDevServer({
            cliPath: cli.path,
            dataDir: path.join(config.dataDir, 'temporal'),
            port,
            uiPort: config.temporal.uiPort,
            namespace: config.temporal.namespace,
            headless: opts.headless ?? false,
            onOutput: (line) => log.debug({ temporal: line }),
            codecEndpoint: `${codecBase}/t/${codecToken}`,
          });
          const server = dev;
          steps.temporal = () => server.stop();
          log.info({ temporalAddress: dev.address }, 'Temporal dev server started');
        }
        const opened = await openDatabase(config, { serve: true, apiUrl: config.api.publicUrl, migrate: true });
        steps.db = () => opened.close();
        if (stopRequested.aborted) return; // stopped while starting: the finally stops what started

        const { runWorkers } = await import('../../workers/main.js');
        const workers = runWorkers(config, { db: opened.db, log, signal: stopWorkers.signal });
        const { dataConverterFromConfig } = await import('../../temporal/data-converter.js');
        const temporal = await connectClient(config.temporal, await dataConverterFromConfig(config));
        steps.workers = async () => {
          stopWorkers.abort();
          await workers.catch(() => undefined);
          await temporal.connection.close();
        };
        const { buildApp } = await import('../../api/app.js');
        const { appDepsFromConfig } = await import('../lib/app-deps.js');
        const devUi = dev?.uiUrl ?? null;
        const app = await buildApp(await appDepsFromConfig(config, opened.db, temporal, log, devUi !== null ? { accessToken: codecToken, uiUrl: devUi } : {}));
        steps.api = () => app.close();
        if (stopRequested.aborted) return;
        await app.listen({ host: config.api.host, port: config.api.port });

        const apiUrl = `http://${config.api.host}:${config.api.port}`;
        console.log(
          [
            '',
            'leadflow is up',
            `  API             ${apiUrl}/`,
            `  health          ${apiUrl}/health`,
            `  metrics         ${apiUrl}/metrics${config.temporal.sdkMetricsAddress ? `  (Temporal SDK: http://${config.temporal.sdkMetricsAddress}/metrics)` : ''}`,
            `  Temporal        ${config.temporal.address} (namespace ${config.temporal.namespace})`,
            `  Temporal Web UI ${dev?.uiUrl ?? config.temporal.uiUrl}`,
            `  codec server    ${devUi !== null ? `${codecBase}/t/…  (the Web UI decrypts payloads through it)` : `${codecBase}  (see README: Encrypted payloads)`}`,
            `  database        ${opened.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)'}`,
            '',
            'Try: npx leadflow leads add --email jane@example.com --first Jane --last Doe',
            'Press Ctrl-C to stop.',
            '',
          ].join('\n'),
        );
        await Promise.race([workers, requested]);
      } finally {
        await shutDown(steps, log);
      }
    });
}

/** What `up` started, stopped in this order; null for what never started. */
interface ShutdownSteps {
  api: (() => Promise<void>) | null;
  workers: (() => Promise<void>) | null;
  temporal: (() => Promise<void>) | null;
  db: (() => Promise<void>) | null;
}

// The API finishes its requests; workers get their shutdown grace (the mailbox worker's is the
// longest, 15 s) plus time to report; the dev server and the database close quickly or not at all.
const BOUNDS_MS: Record<keyof ShutdownSteps, number> = { api: 5_000, workers: 20_000, temporal: 10_000, db: 10_000 };

async function shutDown(steps: ShutdownSteps, log: Logger): Promise<void> {
  const started = Date.now();
  for (const name of ['api', 'workers', 'temporal', 'db'] as const) {
    const step = steps[name];
    if (step === null) continue;
    const t = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), BOUNDS_MS[name]);
    });
    try {
      const outcome = await Promise.race([step().then(() => 'done' as const), late]);
      if (outcome === 'late') log.warn({ step: name, boundMs: BOUNDS_MS[name] }, 'shutdown step did not finish in time; going on');
      else log.info({ step: name, ms: Date.now() - t }, 'stopped');
    } catch (err) {
      log.warn({ err, step: name }, 'error during shutdown');
    } finally {
      clearTimeout(timer);
    }
  }
  log.info({ ms: Date.now() - started }, 'leadflow stopped');
}
