// `leadflow ingest FILE...`: ADF XML or .eml files into lead workflows, with a progress bar for
// many files. Each file's content is its arrival identity, so ingesting a file twice is harmless.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { IngestResult } from '../../intake/ingest.js';

export function registerIngest(program: Command): void {
  program
    .command('ingest <files...>')
    .description('ingest ADF XML or .eml files (exit 1 if any was quarantined or unreadable)')
    .option('--json', 'print one JSON line per file')
    .action(async (files: string[], o: { json?: boolean }) => {
      const [{ SingleBar, Presets }, { arrivalKey }, { withIngest }] = await Promise.all([
        import('cli-progress'),
        import('../../domain/ids/index.js'),
        import('../lib/clients.js'),
      ]);
      const counts = { accepted: 0, partial: 0, quarantined: 0, unreadable: 0, leads: 0 };
      const bar =
        !o.json && files.length > 1 && process.stderr.isTTY
          ? new SingleBar(
              { stream: process.stderr, format: ' {bar} {value}/{total} files | {leads} leads | {quarantined} quarantined' },
              Presets.shades_classic,
            )
          : null;
      await withIngest('ingest', async ({ ingest }) => {
        bar?.start(files.length, 0, { leads: 0, quarantined: 0 });
        for (const file of files) {
          let raw: Buffer;
          try {
            raw = fs.readFileSync(file);
          } catch (err) {
            counts.unreadable += 1;
            report(o.json, file, { error: (err as Error).message });
            bar?.increment({ leads: counts.leads, quarantined: counts.quarantined });
            continue;
          }
          const result: IngestResult = await ingest(raw, {
            source: 'cli',
            sourceRef: path.basename(file),
            arrivalKey: arrivalKey.cliContent(raw),
            receivedAt: new Date(),
            contentType: /\.eml$/i.test(file) ? 'message/rfc822' : 'application/xml',
          });
          counts[result.status] += 1;
          counts.leads += result.leads.length;
          if (o.json || bar === null || result.status !== 'accepted') report(o.json, file, result, bar !== null);
          bar?.increment({ leads: counts.leads, quarantined: counts.quarantined });
        }
        bar?.stop();
      });
      if (!o.json)
        console.error(
          `${files.length} file(s): ${counts.leads} lead(s); ${counts.accepted} accepted, ${counts.partial} partial, ${counts.quarantined} quarantined, ${counts.unreadable} unreadable`,
        );
      if (counts.quarantined + counts.unreadable + counts.partial > 0) process.exitCode = 1;
    });
}

function report(json: boolean | undefined, file: string, r: IngestResult | { error: string }, quiet = false): void {
  if (json) return console.log(JSON.stringify({ file, ...r }));
  if ('error' in r) return console.error(`${file}: unreadable: ${r.error}`);
  if (r.status !== 'quarantined') for (const l of r.leads) if (!quiet) console.log(`${file}: ${l.leadId}`);
  if (r.status !== 'accepted') console.error(`${file}: quarantined as ${r.quarantineId}: ${r.reason}`);
}
