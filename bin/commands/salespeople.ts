// `leadflow salespeople add|list|away|back|remove`: who takes handed-over leads, per team.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';

// The database layer is loaded by the action that uses it, so `--help` does not import kysely.
const load = () => Promise.all([import('../../db/index.js'), import('../lib/clients.js')]);

export function registerSalespeople(program: Command): void {
  const cmd = program.command('salespeople').description('salespeople who take handed-over leads (round-robin per team)');
  cmd
    .command('add')
    .requiredOption('--name <name>')
    .requiredOption('--email <email>')
    .option('--manager <email>', 'who hears of unacknowledged handovers')
    .option('--team <team>', 'the dealer or campaign the rep takes leads for (default: all)')
    .action(async (o: { name: string; email: string; manager?: string; team?: string }) => {
      if (!/^[^@\s]+@[^@\s]+$/.test(o.email)) throw new Error(`--email ${o.email} is not an e-mail address`);
      const [{ addSalesperson }, { withDb }] = await load();
      const row = await withDb('salespeople', (db) =>
        addSalesperson(db, { id: randomUUID(), name: o.name, email: o.email, managerEmail: o.manager ?? null, team: o.team ?? null }),
      );
      console.log(JSON.stringify(row, null, 2));
    });
  cmd.command('list').action(async () => {
    const [{ listSalespeople }, { withDb }] = await load();
    const rows = await withDb('salespeople', (db) => listSalespeople(db));
    for (const r of rows)
      console.log(`${r.id}  ${r.away ? 'away ' : 'in   '} ${r.name} <${r.email}>  team=${r.team ?? '*'}  manager=${r.manager_email ?? '-'}`);
    if (rows.length === 0) console.error('no salespeople yet: leadflow salespeople add --name ... --email ...');
  });
  for (const [name, away] of [
    ['away', true],
    ['back', false],
  ] as const) {
    cmd
      .command(`${name} <id>`)
      .description(away ? 'skip this rep in routing' : 'route leads to this rep again')
      .action(async (id: string) => {
        const [{ setSalespersonAway }, { withDb }] = await load();
        const row = await withDb('salespeople', (db) => setSalespersonAway(db, id, away));
        if (row === undefined) throw new Error(`no salesperson ${id}`);
        console.log(`${row.name} is ${away ? 'away' : 'back'}`);
      });
  }
  cmd.command('remove <id>').action(async (id: string) => {
    const [{ removeSalesperson }, { withDb }] = await load();
    if (!(await withDb('salespeople', (db) => removeSalesperson(db, id)))) throw new Error(`no salesperson ${id}`);
    console.log(`removed ${id}`);
  });
}
