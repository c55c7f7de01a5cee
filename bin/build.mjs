// The CLI compiled to JavaScript, so `leadflow` starts without loading tsx (a quarter of a second)
// and without transforming TypeScript. bin/leadflow.mjs calls freshBuild() on every start (one
// JSON read and a stat per source file, about 2 ms) and build() when the sources changed since;
// `npm run build:cli` builds by hand. Node built-ins only until build() loads esbuild (tsx's own).
//
// The output is one esbuild bundle of bin/cli.ts with code splitting (each command's lazy
// `import()` becomes its own chunk; npm packages stay external), in gitignored dist/cli/, with
// content-hashed file names: a rebuild never rewrites a file a running process may still import,
// and concurrent builds (parallel tests) write the same names with the same bytes.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUT_DIR = path.join(ROOT, 'dist', 'cli');
const STAMP = path.join(OUT_DIR, 'build.json');
const FORMAT = 1;
// What the build depends on besides the bundled sources: this file and the compiler options.
const EXTRA_INPUTS = ['bin/build.mjs', 'tsconfig.json'];
// Superseded outputs are deleted once no build has used them for this long.
const PRUNE_AFTER_MS = 24 * 3600 * 1000;

/**
 * @typedef {{ format: number, root: string, entry: string, outputs: string[], inputs: Record<string, [number, number]> }} Stamp
 * inputs: path relative to ROOT → [mtimeMs, size] when built.
 */

/** The compiled entry's file URL when dist/cli/ matches the sources, else null. */
export function freshBuild() {
  /** @type {Stamp} */
  let stamp;
  try {
    stamp = /** @type {Stamp} */ (JSON.parse(fs.readFileSync(STAMP, 'utf8')));
  } catch {
    return null;
  }
  if (stamp.format !== FORMAT || stamp.root !== ROOT) return null;
  for (const [file, [mtimeMs, size]] of Object.entries(stamp.inputs)) {
    const st = fs.statSync(path.join(ROOT, file), { throwIfNoEntry: false });
    if (st === undefined || st.mtimeMs !== mtimeMs || st.size !== size) return null;
  }
  for (const file of stamp.outputs) if (!fs.existsSync(path.join(OUT_DIR, file))) return null;
  return pathToFileURL(path.join(OUT_DIR, stamp.entry)).href;
}

/**
 * esbuild's bundle leaves `import.meta.url` alone, so in a chunk under dist/ it would name the
 * chunk: code that finds files next to its source (temporal/histories.ts, the provisioning POMs,
 * workers/bundle.ts's workflows path) gets its source file's own URL instead. Textual: the
 * expression inside a string or comment would be replaced too.
 * @type {import('esbuild').Plugin}
 */
const sourceLocation = {
  name: 'leadflow-source-location',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const text = fs.readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta')) return undefined;
      const values = { url: pathToFileURL(args.path).href, filename: args.path, dirname: path.dirname(args.path) };
      const contents = text.replace(/\bimport\.meta\.(url|filename|dirname)\b/g, (_, key) => JSON.stringify(values[/** @type {keyof typeof values} */ (key)]));
      return { contents, loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js' };
    });
  },
};

/**
 * Builds dist/cli/ and returns the entry's file URL. Throws when esbuild cannot compile the
 * sources (the caller then runs them through tsx, which reports the error in context).
 */
export async function build() {
  const started = Date.now();
  fs.mkdirSync(OUT_DIR, { recursive: true });
  // esbuild is a dependency of tsx (a runtime dependency), not of this package: resolve it from there.
  const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
  /** @type {typeof import('esbuild')} */
  const esbuild = fromTsx('esbuild');
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { cli: 'bin/cli.ts' },
    outdir: OUT_DIR,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [sourceLocation],
  });

  const outputs = [];
  const now = new Date();
  for (const file of result.outputFiles) {
    const name = path.relative(OUT_DIR, file.path);
    outputs.push(name);
    // Same name, same code: only mark it as used (a comment-only edit can keep a chunk's name and
    // move its lines, so source maps are always rewritten). Else write it whole, then rename it in.
    if (!name.endsWith('.map') && fs.existsSync(file.path)) fs.utimesSync(file.path, now, now);
    else {
      const tmp = `${file.path}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, file.contents);
      fs.renameSync(tmp, file.path);
    }
  }
  const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === 'bin/cli.ts')?.[0];
  if (entry === undefined) throw new Error('esbuild produced no entry for bin/cli.ts');

  /** @type {Stamp['inputs']} */
  const inputs = {};
  for (const file of [...Object.keys(result.metafile.inputs), ...EXTRA_INPUTS]) {
    const st = fs.statSync(path.join(ROOT, file));
    // Changed while esbuild ran (or too recently to tell): record no match, so the next start rebuilds.
    inputs[file] = st.mtimeMs >= started - 1000 ? [-1, -1] : [st.mtimeMs, st.size];
  }
  /** @type {Stamp} */
  const stamp = { format: FORMAT, root: ROOT, entry: path.relative(OUT_DIR, path.join(ROOT, entry)), outputs, inputs };
  const tmp = `${STAMP}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(stamp));
  fs.renameSync(tmp, STAMP);

  const keep = new Set([...outputs, path.basename(STAMP)]);
  for (const name of fs.readdirSync(OUT_DIR)) {
    if (keep.has(name)) continue;
    const file = path.join(OUT_DIR, name);
    try {
      if (Date.now() - fs.statSync(file).mtimeMs > PRUNE_AFTER_MS) fs.rmSync(file, { force: true });
    } catch {
      /* a concurrent build pruned it */
    }
  }
  return pathToFileURL(path.join(OUT_DIR, stamp.entry)).href;
}

// `node bin/build.mjs` (npm run build:cli): build now, whatever the stamp says.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t = Date.now();
  const entry = await build();
  console.error(`leadflow CLI built in ${Date.now() - t} ms: ${path.relative(process.cwd(), fileURLToPath(entry))}`);
}
