// Reads a file or stdin (`-`) into memory, at most `limit` bytes: enough for the caller to report
// "too large" without pulling a runaway file or pipe into memory.
import fs from 'node:fs/promises';

async function readFileBounded(path: string, limit: number): Promise<Buffer> {
  const handle = await fs.open(path, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    let length = 0;
    while (length < limit) {
      const { bytesRead } = await handle.read(buffer, length, limit - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

async function readStdinBounded(limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of process.stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(bytes);
    length += bytes.length;
    if (length >= limit) break;
  }
  return Buffer.concat(chunks).subarray(0, limit);
}

export const readInput = (file: string, limit: number): Promise<Buffer> => (file === '-' ? readStdinBounded(limit) : readFileBounded(file, limit));

export const oneLine = (s: string): string => s.replace(/\s+/g, ' ');
