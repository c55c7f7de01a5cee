import type { Command } from 'commander';

export function registerApi(program: Command): void {
  program
    .command('api')
    .description('serve the HTTP API until SIGINT/SIGTERM')
    .action(async () => {
      const [{ connectClient }, { openDatabase, setup, shutdownSignal }] = await Promise.all([
        import('../../temporal/connection.js'),
        import('../lib/runtime.js'),
      ]);
      const { config, log } = setup('api');
      const signal = shutdownSignal(log);
      const opened = await openDatabase(config, { serve: true, apiUrl: config.api.publicUrl });
      const { dataConverterFromConfig } = await import('../../temporal/data-converter.js');
      const temporal = await connectClient(config.temporal, await dataConverterFromConfig(config));
      const { buildApp } = await import('../../api/app.js');
      const { appDepsFromConfig } = await import('../lib/app-deps.js');
      const app = await buildApp(await appDepsFromConfig(config, opened.db, temporal, log));
      try {
        await app.listen({ host: config.api.host, port: config.api.port });
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      } finally {
        await app.close();
        await temporal.connection.close();
        await opened.close();
      }
    });
}
