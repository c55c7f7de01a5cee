// Loopback port helpers shared by provisioning, the dev server, the embedded-DB server and tests.
import net from 'node:net';

/** A TCP port that was free a moment ago (the usual small race is acceptable for local servers). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      server.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Whether something accepts TCP connections there. */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A free port below the kernel's ephemeral range (Linux: 32768 and up). Use it for a port handed
 * to a server that starts later: a port from freePort() is ephemeral, so a server that meanwhile
 * asks the kernel for "any free port" (the Temporal dev server does, for its internal services)
 * can be given the very same one.
 */
export async function freeFixedPort(low = 20_000, high = 32_000): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = low + Math.floor(Math.random() * (high - low));
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port between ${low} and ${high}`);
}
