// A secret the operator may set in the environment; for the local default, generated once into
// the data directory (mode 0600) so every process on this machine (`leadflow up`, the CLI beside
// it, a restart) reads the same one. A deployment with processes on several machines sets the
// environment variable instead, the same value everywhere.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function localSecret(dataDir: string, fileName: string, generate: () => string): Promise<string> {
  const file = path.join(dataDir, fileName);
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing !== '') return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const secret = generate();
  // wx: if two processes race, the loser fails here and re-reads the winner's secret.
  try {
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return (await readFile(file, 'utf8')).trim();
  }
}
