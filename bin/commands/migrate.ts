import type { Command } from 'commander';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (exits non-zero on any failure)')
    .action(async () => {
      const [{ migrateToLatest }, { openDatabase, setup }] = await Promise.all([import('../../db/index.js'), import('../lib/runtime.js')]);
      const { config } = setup('migrate');
      const opened = await openDatabase(config);
      try {
        const { applied } = await migrateToLatest(opened.db);
        console.log(
          applied.length === 0 ? `database (${opened.kind}) is up to date` : `applied ${applied.length} migration(s) on ${opened.kind}: ${applied.join(', ')}`,
        );
      } finally {
        await opened.close();
      }
    });
}
