// Serves the embedded PGlite database over the PostgreSQL wire protocol on loopback, so the CLI
// and this process's own pool can share the one database only one process may open.
//
// PGlite is a single backend. Messages from different connections must never interleave: an
// extended-protocol query is Parse/Bind/Execute/Sync, and another connection's Parse between them
// replaces the unnamed statement ("bind message supplies 7 parameters", or worse, an answer
// computed with another connection's parameters). So each connection's messages run as one unit
// up to its Sync (or simple Query) while it holds the database, and it keeps holding it while its
// transaction is open (ReadyForQuery status T or E). pglite-socket queues per message and only
// keeps affinity inside transactions, which is exactly the interleaving above.
//
// Every connection authenticates with SCRAM-SHA-256 (scram.ts) against a generated password.
import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { backendError, frontendMessages, readyStatus, startupPacket } from './wire.js';
import { ScramServer } from './scram.js';

export interface EmbeddedServerOptions {
  host: string;
  port: number;
  password: string;
  /** A connection idle inside an open transaction this long is rolled back and closed (default 60 s). */
  idleInTransactionMs?: number;
}

/** One holder at a time; the holder may re-enter while its transaction is open. */
class BackendLock {
  private holder: number | null = null;
  private waiters: Array<{ id: number; go: () => void }> = [];

  async acquire(id: number): Promise<void> {
    if (this.holder === id) return;
    if (this.holder === null) {
      this.holder = id;
      return;
    }
    await new Promise<void>((go) => this.waiters.push({ id, go }));
  }

  release(id: number): void {
    if (this.holder !== id) return;
    const next = this.waiters.shift();
    this.holder = next?.id ?? null;
    next?.go();
  }

  forget(id: number): void {
    this.waiters = this.waiters.filter((w) => w.id !== id);
  }
}

export class EmbeddedServer {
  private server: net.Server | null = null;
  private readonly lock = new BackendLock();
  private readonly sockets = new Set<net.Socket>();
  private nextId = 1;

  constructor(
    private readonly db: PGlite,
    private readonly opts: EmbeddedServerOptions,
  ) {}

  async start(): Promise<void> {
    await this.db.waitReady;
    const server = net.createServer((socket) => {
      void this.serve(socket);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Runs frontend messages as one unit on the backend; resolves with the final ReadyForQuery status, if any. */
  private async run(messages: Uint8Array[], socket: net.Socket): Promise<string | null> {
    let status: string | null = null;
    for (const m of messages) {
      const out = await this.db.execProtocolRaw(m, { syncToFs: false });
      status = readyStatus(out) ?? status;
      if (out.length > 0 && !socket.destroyed) socket.write(out);
    }
    return status;
  }

  private async serve(socket: net.Socket): Promise<void> {
    const id = this.nextId++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    let buffer: Buffer = Buffer.alloc(0);
    let wake: (() => void) | null = null;
    let closed = false;
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      wake?.();
    });
    socket.on('close', () => {
      closed = true;
      wake?.();
    });
    socket.on('error', () => socket.destroy());
    const more = () =>
      new Promise<void>((r) => {
        wake = () => {
          wake = null;
          r();
        };
      });

    let holding = false;
    let idleTimer: NodeJS.Timeout | undefined;
    const rollbackAndRelease = async () => {
      if (!holding) return;
      holding = false;
      try {
        await this.db.exec('ROLLBACK');
      } catch {
        /* not in a transaction after all */
      }
      this.lock.release(id);
    };
    try {
      // Startup: SSL refused, then SCRAM, then PGlite's own startup answer (AuthenticationOk, ...).
      let startup: Buffer | null = null;
      const scram = new ScramServer(this.opts.password);
      while (!closed && startup === null) {
        const packet = startupPacket(buffer);
        if (packet === null) {
          await more();
          continue;
        }
        buffer = buffer.subarray(packet.length);
        if (packet.kind === 'ssl' || packet.kind === 'gss') {
          socket.write('N');
          continue;
        }
        if (packet.kind !== 'startup') {
          socket.destroy();
          return;
        }
        startup = packet.bytes;
      }
      if (startup === null) return;
      socket.write(scram.begin());
      while (!closed && !scram.done) {
        const { messages, rest } = frontendMessages(buffer);
        if (messages.length === 0) {
          await more();
          continue;
        }
        buffer = rest;
        for (const m of messages) {
          const answer = scram.step(m);
          if (answer.error !== undefined) {
            socket.end(backendError('FATAL', '28P01', answer.error));
            return;
          }
          socket.write(answer.reply);
        }
      }
      if (closed) return;
      await this.lock.acquire(id);
      try {
        await this.run([startup], socket);
      } finally {
        this.lock.release(id);
      }

      while (!closed) {
        const { messages, rest } = frontendMessages(buffer);
        const end = messages.findIndex((m) => m[0] === 0x53 /* S */ || m[0] === 0x51 /* Q */ || m[0] === 0x48 /* H */ || m[0] === 0x58 /* X */);
        if (end < 0) {
          await more();
          continue;
        }
        const unit = messages.slice(0, end + 1);
        buffer = Buffer.concat([...messages.slice(end + 1).map((m) => Buffer.from(m)), rest]);
        if (unit.at(-1)?.[0] === 0x58) {
          unit.pop();
          if (unit.length === 0) break;
        }
        clearTimeout(idleTimer);
        await this.lock.acquire(id);
        holding = true;
        const status = await this.run(unit, socket);
        if (status === 'I' || status === null) {
          holding = false;
          this.lock.release(id);
        } else {
          // Inside a transaction: keep the backend, but not forever if the client goes quiet.
          idleTimer = setTimeout(() => {
            void rollbackAndRelease().then(() => socket.destroy());
          }, this.opts.idleInTransactionMs ?? 60_000);
          idleTimer.unref();
        }
      }
    } catch {
      socket.destroy();
    } finally {
      clearTimeout(idleTimer);
      this.lock.forget(id);
      await rollbackAndRelease();
      this.sockets.delete(socket);
      if (!socket.destroyed) socket.end();
    }
  }
}
