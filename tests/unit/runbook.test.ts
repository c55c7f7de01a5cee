// docs/RUNBOOK.md names only what exists: every `leadflow …` command (subcommand path and
// options, resolved on the CLI's own commander program), every metric (prom-client's registry once
// the API and the activity modules have registered theirs, plus the documented Temporal SDK names
// that tests/integration/observability.test.ts checks on a real worker), every Web UI search
// attribute and lead status, and every runbook link in the alert rules.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { Command } from 'commander';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { Histogram, register, Summary } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.js';
import { createLogger } from '../../config/logger.js';
import type { Database } from '../../db/index.js';
import { LEAD_STATUSES } from '../../workflows/lead/contract.js';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { ROOT } from '../helpers/cli.js';
import { promqlMetricNames } from '../helpers/metric-names.js';
import { TEMPORAL_SDK_METRICS } from '../helpers/sdk-metrics.js';

const RUNBOOK = fs.readFileSync(path.join(ROOT, 'docs', 'RUNBOOK.md'), 'utf8');

/** The CLI as bin/cli.ts builds it: each `registerX` it imports from ./commands/, applied to a fresh program. */
async function cliProgram(): Promise<Command> {
  const src = fs.readFileSync(path.join(ROOT, 'bin', 'cli.ts'), 'utf8');
  const program = new Command('leadflow');
  const imports = [...src.matchAll(/import \{ (register\w+) \} from '\.\/commands\/([\w-]+)\.js';/g)];
  assert.ok(imports.length >= 15, `bin/cli.ts registers ${imports.length} command modules`);
  for (const [, fn = '', file = ''] of imports) {
    assert.ok(new RegExp(`\\b${fn},`).test(src.slice(src.indexOf('for (const register of'))), `${fn} is in cli.ts's register list`);
    const mod = (await import(`../../bin/commands/${file}.js`)) as Record<string, (p: Command) => void>;
    mod[fn]?.(program);
  }
  return program;
}

/** Every `leadflow …` invocation in the runbook: fenced code lines and inline code spans. */
function runbookCommands(md: string): string[] {
  const fenced = [...md.matchAll(/```\w*\n([\s\S]*?)```/g)].flatMap((m) => (m[1] ?? '').split('\n'));
  const inline = [...md.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`]+)`/g)].map((m) => (m[1] ?? '').replace(/\s+/g, ' '));
  return [...fenced, ...inline]
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => /^(npx )?leadflow /.test(l))
    .map((l) => l.replace(/^npx /, ''));
}

/** Problems with one command line against the program (empty: it exists as written). */
function checkCommand(program: Command, line: string): string[] {
  const words = (line.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).slice(1);
  let cmd = program;
  let path = 'leadflow';
  const problems: string[] = [];
  for (const w of words) {
    if (w.startsWith('--')) {
      const flag = w.split('=')[0] ?? w;
      if (flag !== '--help' && !cmd.options.some((o) => o.long === flag)) problems.push(`${line}: ${path} has no option ${flag}`);
    } else if (cmd.commands.length > 0) {
      // A command group: the word must be one of its subcommands (a leaf takes it as an argument).
      const sub = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
      if (sub === undefined) {
        problems.push(`${line}: ${path} has no subcommand "${w}"`);
        break;
      }
      cmd = sub;
      path += ` ${w}`;
    }
  }
  if (cmd === program) problems.push(`${line}: no command`);
  return problems;
}

describe('docs/RUNBOOK.md names what exists', () => {
  let program: Command;
  let app: FastifyInstance;
  const metrics = new Set<string>(TEMPORAL_SDK_METRICS);

  before(async () => {
    program = await cliProgram();
    // The API registers its gauges and histogram as it builds; nothing here touches the database or Temporal.
    const db = new Kysely<Database>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (k) => new PostgresIntrospector(k),
        createQueryCompiler: () => new PostgresQueryCompiler(),
      },
    });
    app = await buildApp({ db, temporal: {} as Client, leadIdSecret: 'x'.repeat(32), logger: createLogger('silent') });
    await app.ready();
    // Metrics recorded by activities in the worker (same registry, other modules).
    await import('../../activities/ai/metrics.js');
    await import('../../activities/handover/index.js');
    for (const m of register.getMetricsAsArray()) {
      const name = (m as unknown as { name: string }).name;
      metrics.add(name);
      if (m instanceof Histogram) for (const s of ['_bucket', '_sum', '_count']) metrics.add(name + s);
      if (m instanceof Summary) for (const s of ['_sum', '_count']) metrics.add(name + s);
    }
  });
  after(async () => {
    await app?.close();
  });

  test('the checkers see what they should (and refuse what does not exist)', () => {
    assert.deepEqual(
      promqlMetricNames('histogram_quantile(0.95, sum by (le, inbox) (rate(foo_bucket{kind=~"a|b"}[5m]))) / on(inbox) group_left bar > 3 and on() hour() > 9'),
      ['bar', 'foo_bucket'],
    );
    assert.deepEqual(checkCommand(program, 'leadflow leads retry ID --email a@example.com'), []);
    assert.match(checkCommand(program, 'leadflow leads retyr ID').join('\n'), /leadflow leads has no subcommand "retyr"/);
    assert.match(checkCommand(program, 'leadflow stop --reasn x').join('\n'), /leadflow stop has no option --reasn/);
    assert.match(checkCommand(program, 'leadflow nonsense').join('\n'), /leadflow has no subcommand "nonsense"/);
    assert.ok(metrics.has('adf_leads_processed_total') && metrics.has('leadflow_emergency_stop_active') && metrics.has('http_request_duration_seconds_bucket'));
    assert.ok(!metrics.has('leadflow_made_up_total'));
  });

  test('every leadflow command and option in the runbook is registered', () => {
    const commands = runbookCommands(RUNBOOK);
    assert.ok(commands.length >= 40, `found ${commands.length} commands`);
    // The incidents' key commands are there, backup and restore among them.
    for (const must of [
      'leadflow backup FILE',
      'leadflow restore FILE --verify-only',
      'leadflow leads retry',
      'leadflow stop --reason',
      'leadflow resume',
      'leadflow doctor',
    ])
      assert.ok(
        commands.some((c) => c.startsWith(must)),
        `the runbook shows ${must}`,
      );
    assert.deepEqual(
      commands.flatMap((c) => checkCommand(program, c)),
      [],
    );
  });

  test('every metric the runbook names is exported', () => {
    const named = [...new Set(RUNBOOK.match(/\b(?:adf|ai|handover|http|leadflow|temporal)_[a-z0-9_]+/g) ?? [])];
    assert.ok(named.length >= 20, `found ${named.length} metric names`);
    assert.deepEqual(
      named.filter((n) => !metrics.has(n)),
      [],
    );
  });

  test('every Web UI filter names a search attribute (and a real lead status)', () => {
    const attrs = new Set<string>(SEARCH_ATTRIBUTES.map((k) => k.name));
    const filters = [...RUNBOOK.matchAll(/\b([A-Z][A-Za-z]+)="([^"]*)"/g)];
    assert.ok(filters.length >= 8, `found ${filters.length} filters`);
    assert.deepEqual(
      filters.filter(([, k = '']) => !attrs.has(k)).map(([f]) => f),
      [],
    );
    const statuses = new Set<string>(LEAD_STATUSES);
    assert.deepEqual(
      filters.filter(([, k, v = '']) => k === 'LeadStatus' && !statuses.has(v)).map(([f]) => f),
      [],
    );
  });

  test('every runbook link in the alert rules lands on a section', () => {
    const anchors = new Set(
      [...RUNBOOK.matchAll(/^#{2,3} (.+)$/gm)].map(([, h = '']) =>
        h
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    const alerts = fs.readFileSync(path.join(ROOT, 'deploy', 'prometheus', 'alerts.yml'), 'utf8');
    const links = [...alerts.matchAll(/runbook_url: docs\/RUNBOOK\.md#([\w-]+)/g)].map(([, a = '']) => a);
    assert.ok(links.length >= 15, `found ${links.length} runbook links`);
    assert.deepEqual(
      links.filter((a) => !anchors.has(a)),
      [],
    );
    const inDoc = [...RUNBOOK.matchAll(/\]\(#([\w-]+)\)/g)].map(([, a = '']) => a);
    assert.deepEqual(
      inDoc.filter((a) => !anchors.has(a)),
      [],
    );
  });
});
