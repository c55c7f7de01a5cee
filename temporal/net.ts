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
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}
