// Writes the production workflow bundle to a file, so every test process loads the same code
// instead of running webpack again.
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflows } from '../workers/bundle.js';

const out = process.argv[2];
if (out === undefined) throw new Error('usage: bundle-workflows.ts OUTPUT.js');
const { code } = await bundleWorkflows();
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, code);
console.error(`workflow bundle: ${(code.length / 1024).toFixed(0)} KiB -> ${out}`);
