// `leadflow histories record`: save a finished (or running) workflow's history from a server so a
// change can commit the replay evidence for the paths it adds.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';

export function registerHistories(program: Command): void {
  const histories = program.command('histories').description('workflow histories used by the replay tests');
  histories
    .command('record <workflowId> <name>')
    .description('fetch a workflow history from the configured Temporal server into histories/<workflowType>/<name>.json')
    .action(async (workflowId: string, name: string) => {
      if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error('name must be lower-case letters, digits and dashes');
      const [{ connectClient }, { HISTORIES_DIR, recordHistory }, { setup }] = await Promise.all([
        import('../../temporal/connection.js'),
        import('../../temporal/histories.js'),
        import('../lib/runtime.js'),
      ]);
      const { config } = setup('histories');
      const client = await connectClient(config.temporal);
      try {
        const tmp = path.join(HISTORIES_DIR, '.incoming', `${name}.json`);
        const { workflowType } = await recordHistory(client, workflowId, tmp);
        const dest = path.join(HISTORIES_DIR, workflowType, `${name}.json`);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.renameSync(tmp, dest);
        console.log(`recorded ${workflowId} (${workflowType}) to ${path.relative(process.cwd(), dest)}`);
      } finally {
        await client.connection.close();
      }
    });
}
