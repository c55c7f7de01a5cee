// The backup file says what it is: one magic line, one line of JSON (the manifest), then the
// payload (a pg_dump custom-format archive or PGlite's gzipped data-directory tarball). A single
// self-describing file cannot be separated from its description the way a sidecar can, and the
// manifest is readable without the payload's tool: `restore --verify-only` judges the kind, the
// schema and the checksum before pg_restore or PGlite ever sees the bytes.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

export const MAGIC = 'leadflow-backup v1\n';
/** The header is tiny; anything longer is not one of ours (and is never read whole). */
const MAX_HEADER = 1024 * 1024;

export type BackupKind = 'postgres' | 'pglite';

export interface Manifest {
  kind: BackupKind;
  createdAt: string;
  /** Every applied migration in order: the last is the schema version. */
  migrations: string[];
  /** Rows per table at the moment of the dump (the same snapshot for PostgreSQL). */
  tables: Record<string, number>;
  /** The tool that wrote the payload (pg_dump's or PGlite's version), for the operator. */
  tool: string;
  payload: { bytes: number; sha256: string };
}

export class BackupRefused extends Error {
  override readonly name = 'BackupRefused';
}

export function encodeHeader(m: Manifest): Buffer {
  return Buffer.from(`${MAGIC}${JSON.stringify(m)}\n`, 'utf8');
}

function isManifest(v: unknown): v is Manifest {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  const payload = m.payload as Record<string, unknown> | undefined;
  return (
    (m.kind === 'postgres' || m.kind === 'pglite') &&
    typeof m.createdAt === 'string' &&
    Array.isArray(m.migrations) &&
    m.migrations.every((x) => typeof x === 'string') &&
    typeof m.tables === 'object' &&
    m.tables !== null &&
    Object.values(m.tables).every((n) => Number.isInteger(n)) &&
    typeof m.tool === 'string' &&
    typeof payload?.bytes === 'number' &&
    typeof payload.sha256 === 'string'
  );
}

export interface OpenedBackup {
  manifest: Manifest;
  /** Where the payload starts in the file. */
  offset: number;
}

/** Reads and checks the header only; throws BackupRefused naming what is wrong. */
export async function readHeader(file: string): Promise<OpenedBackup> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(size, MAX_HEADER));
    await fh.read(head, 0, head.length, 0);
    if (!head.subarray(0, MAGIC.length).equals(Buffer.from(MAGIC))) throw new BackupRefused(`${file} is not a leadflow backup (no "${MAGIC.trim()}" header)`);
    const end = head.indexOf(0x0a, MAGIC.length);
    if (end < 0) throw new BackupRefused(`${file}: the backup header is cut off`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(head.subarray(MAGIC.length, end).toString('utf8'));
    } catch {
      throw new BackupRefused(`${file}: the backup manifest is not valid JSON`);
    }
    if (!isManifest(parsed)) throw new BackupRefused(`${file}: the backup manifest lacks kind, migrations, tables or payload`);
    const offset = end + 1;
    if (size - offset !== parsed.payload.bytes) {
      throw new BackupRefused(`${file}: the payload is ${size - offset} bytes, the manifest says ${parsed.payload.bytes} (truncated or altered)`);
    }
    return { manifest: parsed, offset };
  } finally {
    await fh.close();
  }
}

/** sha256 of the payload, streamed: a dump can be larger than memory. */
export async function payloadSha256(file: string, offset: number): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { start: offset })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Header plus checksum: everything that can be judged without the payload's tool. */
export async function checkFile(file: string): Promise<OpenedBackup> {
  const opened = await readHeader(file);
  const sha = await payloadSha256(file, opened.offset);
  if (sha !== opened.manifest.payload.sha256) throw new BackupRefused(`${file}: the payload checksum does not match the manifest (the file is corrupt)`);
  return opened;
}

/** Refuses a backup whose schema this code does not know (taken by a newer leadflow). */
export function checkSchema(m: Manifest, known: readonly string[]): void {
  const unknown = m.migrations.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new BackupRefused(`the backup's schema is newer than this leadflow knows (migration ${unknown.join(', ')}): upgrade leadflow first`);
  }
}
