// Provisions the official Compose Specification JSON schema, which validates deploy/compose.yaml.
// It ships inside compose-go (the library `docker compose` loads files with, which validates
// against this very file), and the Go module proxy serves compose-go to this machine and CI, unlike
// GitHub's raw files. `go mod download` fetches and verifies the pinned module (go.sum database);
// the schema is copied into our cache, so a pruned Go module cache costs one more download, not a
// failure.
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir } from './cache.js';
import { findOnPath, noLog, run, tail, type Log } from './exec.js';
import { withLock } from './lock.js';

export const COMPOSE_GO_MODULE = 'github.com/compose-spec/compose-go/v2';
// v2.17.0 needs Go >= 1.26.11; v2.16.2 builds with Go 1.24, so any recent toolchain can fetch it.
export const COMPOSE_GO_VERSION = 'v2.16.2';
/** Where the module keeps the schema. */
const SCHEMA_IN_MODULE = path.join('schema', 'compose-spec.json');

/** `<cacheDir>/compose-spec/<version>/compose-spec.json`. */
export const composeSchemaPath = (): string => path.join(cacheDir(), 'compose-spec', COMPOSE_GO_VERSION, 'compose-spec.json');

/** A schema file we can use: parses as JSON and declares its dialect. */
function usable(file: string): boolean {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { $schema?: unknown };
    return typeof parsed.$schema === 'string';
  } catch {
    return false;
  }
}

/**
 * The cached schema's path; downloads the pinned compose-go when it is missing. Throws, saying what
 * is missing, when Go is not installed or the download fails: the compose test needs the schema.
 */
export async function ensureComposeSchema(log: Log = noLog): Promise<string> {
  const target = composeSchemaPath();
  if (usable(target)) return target;
  const go = findOnPath('go');
  if (go === null)
    throw new Error(`the Compose schema is not cached and Go is not installed to fetch it (go mod download ${COMPOSE_GO_MODULE}@${COMPOSE_GO_VERSION})`);
  return withLock(
    path.join(cacheDir(), 'locks', 'compose-schema'),
    async () => {
      if (usable(target)) return target; // fetched by another process meanwhile
      const spec = `${COMPOSE_GO_MODULE}@${COMPOSE_GO_VERSION}`;
      log(`fetching the Compose schema: go mod download ${spec}`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      // cwd outside any Go module: inside one, `go mod download` would consult (and may edit) its go.mod.
      const res = await run(go, ['mod', 'download', '-json', spec], { cwd: path.dirname(target), timeoutMs: 10 * 60_000 });
      const info = parseDownload(res.output);
      if (res.code !== 0 || info.Dir === undefined) {
        throw new Error(`go mod download ${spec} failed (${res.signal ?? `exit ${res.code}`}): ${info.Error ?? tail(res.output)}`);
      }
      const source = path.join(info.Dir, SCHEMA_IN_MODULE);
      if (!usable(source)) throw new Error(`${spec} has no usable ${SCHEMA_IN_MODULE} (looked in ${info.Dir})`);
      // Written then renamed: a reader never sees a half-written schema. Not copyFile: that would
      // keep the module cache's read-only mode.
      const partial = `${target}.${process.pid}.tmp`;
      fs.writeFileSync(partial, fs.readFileSync(source));
      fs.renameSync(partial, target);
      log(`cached the Compose schema of ${spec} at ${target}`);
      return target;
    },
    { log, timeoutMs: 15 * 60_000 },
  );
}

/** `go mod download -json` prints one JSON object; on failure its `Error` says why. */
function parseDownload(output: string): { Dir?: string; Error?: string } {
  const start = output.indexOf('{');
  const end = output.lastIndexOf('}');
  if (start < 0 || end < start) return {};
  try {
    return JSON.parse(output.slice(start, end + 1)) as { Dir?: string; Error?: string };
  } catch {
    return {};
  }
}
