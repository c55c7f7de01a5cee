#!/usr/bin/env node
// Entry shim. Runs the CLI compiled to JavaScript in dist/cli/ (bin/build.mjs), building it first
// when it is missing or older than the sources; when it cannot be built (a syntax error mid-edit,
// a read-only checkout) or LEADFLOW_CLI_TSX=1, registers tsx and runs the TypeScript sources.
import { build, freshBuild } from './build.mjs';

let entry = null;
if (process.env.LEADFLOW_CLI_TSX !== '1') {
  try {
    entry = freshBuild() ?? (await build());
  } catch {
    entry = null; // tsx reports a compile error with its own context; anything else is not ours to stop on
  }
}
if (entry !== null) {
  // The servers' logged stack traces point into the TypeScript sources, as under tsx. Not for the
  // one-shot commands (they print messages, not stacks): Node would read every package's .map
  // file as it loads, 60 ms of `leads add`. NODE_OPTIONS=--enable-source-maps turns it on for all.
  if (['up', 'worker', 'api'].includes(process.argv[2] ?? '')) process.setSourceMapsEnabled(true);
  await import(entry);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./cli.ts');
}
