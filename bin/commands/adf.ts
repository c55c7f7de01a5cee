// `leadflow adf parse FILE|-`: an ADF document to the JSON a lead workflow carries. Meant for
// pipes and scripts: stdout holds exactly one JSON line or nothing; every problem is one stderr
// line and exit code 2 (bad input), never a stack trace.
import type { Command } from 'commander';
import { oneLine, readInput } from '../lib/read-input.js';

export function registerAdf(program: Command): void {
  const adf = program.command('adf').description('ADF (Auto-lead Data Format) lead documents');

  adf
    .command('parse')
    .description('parse an ADF XML document and print it as one line of JSON (exit 2 on bad input)')
    .argument('<file>', 'path of the ADF document, or - for stdin')
    .action(async (file: string) => {
      // Loaded on use, like every command's own code: `leadflow --help` must not pay for the parser.
      const { AdfParseError, MAX_ADF_BYTES, parseAdf } = await import('../../domain/adf/parse.js');
      // Read at most one byte past the limit: enough for parseAdf to say "too-large".
      const READ_LIMIT = MAX_ADF_BYTES + 1;
      const label = file === '-' ? 'stdin' : oneLine(file);
      let bytes: Uint8Array;
      try {
        bytes = await readInput(file, READ_LIMIT);
      } catch (err) {
        console.error(`leadflow adf parse: cannot read ${label}: ${oneLine(err instanceof Error ? err.message : String(err))}`);
        process.exitCode = 2;
        return;
      }
      try {
        process.stdout.write(`${JSON.stringify(parseAdf(bytes))}\n`);
      } catch (err) {
        if (!(err instanceof AdfParseError)) throw err;
        // Exit 2 by hand: bin/cli.ts maps thrown errors to 1, which means "the tool broke".
        console.error(`leadflow adf parse: ${label}: ${err.code}: ${err.message}`);
        process.exitCode = 2;
      }
    });
}
