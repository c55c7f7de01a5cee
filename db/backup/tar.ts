// Just enough of ustar to list a PGlite dump's entries: verify-only must tell a data-directory
// tarball from a truncated or foreign one before handing megabytes to the WASM Postgres.
import { gunzipSync } from 'node:zlib';

const BLOCK = 512;

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length).toString('latin1');
  const nul = raw.indexOf('\0');
  return (nul < 0 ? raw : raw.slice(0, nul)).trim();
}

/** Entry names of a (gzipped) tarball; throws when the archive is not whole. */
export function listTar(gzipped: Buffer): string[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(gzipped);
  } catch (error) {
    throw new Error(`not a gzip archive: ${(error as Error).message}`, { cause: error });
  }
  const names: string[] = [];
  for (let off = 0; off + BLOCK <= tar.length;) {
    const header = tar.subarray(off, off + BLOCK);
    if (header.every((b) => b === 0)) return names; // the end-of-archive blocks
    const sizeText = field(header, 124, 12);
    if (!/^[0-7]*$/.test(sizeText)) throw new Error(`bad tar header at byte ${off}`);
    const size = sizeText === '' ? 0 : Number.parseInt(sizeText, 8);
    const prefix = field(header, 345, 155);
    names.push(prefix === '' ? field(header, 0, 100) : `${prefix}/${field(header, 0, 100)}`);
    off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (off > tar.length) throw new Error(`tar entry ${names.at(-1)} runs past the end of the archive`);
  }
  throw new Error('tar archive has no end-of-archive marker');
}
