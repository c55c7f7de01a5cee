// A real SMTP + IMAP server on loopback for tests: GreenMail standalone, provisioned by
// temporal/provision/greenmail.ts (Java + Maven, cached). Each call starts its own JVM on free
// ports, so tests never share mailboxes by accident.
//
// GreenMail keeps everything in memory: restart() comes back on the same ports with the same
// configured users, but every message and every mailbox other than INBOX is gone, and INBOX gets
// a new UIDVALIDITY. That is what a reconnect test wants (a real server bounce that also
// invalidates old UIDs); tests that need mail after a restart append it again.
import { spawn, type ChildProcess } from 'node:child_process';
import { ImapFlow } from 'imapflow';
import { freePort, sleep } from '../../temporal/provision/exec.js';
import { ensureGreenMail, greenMailArgs, waitForImapGreeting } from '../../temporal/provision/greenmail.js';

export interface MailUser {
  user: string;
  password: string;
  email: string;
}

export interface MailServer {
  imap: { host: '127.0.0.1'; port: number; secure: false };
  smtp: { host: '127.0.0.1'; port: number; secure: false };
  users: MailUser[];
  /** Kills the JVM; idempotent. */
  stop(): Promise<void>;
  /** Kills the JVM abruptly (clients see the connection drop) and starts a fresh one on the same ports. */
  restart(): Promise<void>;
}

export const DEFAULT_USERS: MailUser[] = [{ user: 'leads@example.com', password: 'leads-secret', email: 'leads@example.com' }];

const log = (m: string) => process.stderr.write(`[provision] ${m}\n`);
const STARTUP_TIMEOUT_MS = 30_000;
// Every JVM this process started, so a test that forgets stop() (or crashes) leaves none behind.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * GreenMail's `-Dgreenmail.users` takes `local:password@domain` entries and one global login
 * style (the local part or the whole address), so a user's login must be one of those two and
 * all users must use the same style; passwords cannot contain a comma.
 */
function usersProperty(users: MailUser[]): { users: string; login: 'email' | 'local_part' } {
  if (users.length === 0) throw new Error('startMailServer needs at least one user');
  const styles = new Set<'email' | 'local_part'>();
  const entries = users.map((u) => {
    const at = u.email.lastIndexOf('@');
    const local = u.email.slice(0, at);
    if (at <= 0 || /[:,\s]/.test(u.email) || u.password.includes(',') || u.password === '') {
      throw new Error(
        `GreenMail cannot configure user ${JSON.stringify(u.user)}: email must be local@domain without ':' or ',', password non-empty without ','`,
      );
    }
    if (u.user === u.email) styles.add('email');
    else if (u.user === local) styles.add('local_part');
    else throw new Error(`GreenMail logins must be the email address or its local part; got ${u.user} for ${u.email}`);
    return `${local}:${u.password}@${u.email.slice(at + 1)}`;
  });
  if (styles.size > 1) throw new Error('GreenMail uses one login style for all users: either all emails or all local parts');
  return { users: entries.join(','), login: [...styles][0] ?? 'email' };
}

export async function startMailServer(opts: { users?: MailUser[] } = {}): Promise<MailServer> {
  const provisioned = await ensureGreenMail(log);
  if (provisioned === null) throw new Error('GreenMail needs Java (JDK 11+) and Maven on PATH (Debian: apt-get install -y openjdk-17-jdk-headless maven)');
  const { launcher } = provisioned;
  const users = opts.users ?? DEFAULT_USERS;
  const prop = usersProperty(users);
  let imapPort = 0;
  let smtpPort = 0;
  let child: ChildProcess | null = null;

  // One JVM start; resolves once IMAP greets. `output` keeps the tail for the error message.
  async function launch(): Promise<void> {
    const args = [...greenMailArgs(imapPort, smtpPort, prop.users), `-Dgreenmail.users.login=${prop.login}`];
    const proc = spawn(launcher, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (b: Buffer) => {
      output = (output + b.toString()).slice(-4000);
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    proc.once('error', (err) => {
      output += `\n${err.message}`;
    });
    running.add(proc);
    proc.once('exit', () => running.delete(proc));
    if ((await waitForImapGreeting(imapPort, STARTUP_TIMEOUT_MS, proc)) === null) {
      await kill(proc);
      throw new Error(`GreenMail did not start on IMAP port ${imapPort}:\n${output.trim()}`);
    }
    child = proc;
  }

  async function stop(): Promise<void> {
    const proc = child;
    child = null;
    if (proc !== null) await kill(proc);
  }

  // Fresh ports for the first start; a port grabbed by someone else between freePort() and the
  // JVM's bind only fails that attempt.
  for (let attempt = 1; ; attempt++) {
    imapPort = await freePort();
    smtpPort = await freePort();
    try {
      await launch();
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }

  return {
    imap: { host: '127.0.0.1', port: imapPort, secure: false },
    smtp: { host: '127.0.0.1', port: smtpPort, secure: false },
    users,
    stop,
    async restart() {
      await stop();
      // GreenMail sets a mailbox's UIDVALIDITY to the wall-clock second it was created. Had the
      // old INBOX been created in the same second the new one is, UIDs would start from 1 again
      // under the *same* UIDVALIDITY (which no real server does) and clients would skip mail.
      // Starting in a later second than the old JVM died in rules that out.
      await sleep((Math.floor(Date.now() / 1000) + 1) * 1000 - Date.now());
      // Same ports this time: a just-closed listener can take a moment to be bindable again.
      for (let attempt = 1; ; attempt++) {
        try {
          await launch();
          return;
        } catch (err) {
          if (attempt >= 5) throw err;
          await sleep(200 * attempt);
        }
      }
    },
  };
}

function kill(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    // SIGKILL: GreenMail holds nothing worth a graceful shutdown, and an abrupt end is what a
    // reconnect test should see anyway.
    proc.kill('SIGKILL');
  });
}

function findUser(server: MailServer, user: string | MailUser): MailUser {
  if (typeof user !== 'string') return user;
  const found = server.users.find((u) => u.user === user || u.email === user);
  if (found === undefined) throw new Error(`no user ${user} on this mail server`);
  return found;
}

/** A connected ImapFlow for `user` (logs off with logout()); errors are left to the caller. */
export async function connectImap(server: MailServer, user: string | MailUser): Promise<ImapFlow> {
  const u = findUser(server, user);
  const client = new ImapFlow({ ...server.imap, auth: { user: u.user, pass: u.password }, logger: false, disableAutoIdle: true });
  client.on('error', () => {}); // surfaced through the failing command instead
  await client.connect();
  return client;
}

/** IMAP APPEND of a raw RFC 822 message; returns its UID (GreenMail supports UIDPLUS). */
export async function appendMessage(
  server: MailServer,
  user: string | MailUser,
  raw: string | Buffer,
  mailbox = 'INBOX',
): Promise<{ uid: number | undefined }> {
  const client = await connectImap(server, user);
  try {
    const res = await client.append(mailbox, raw);
    if (res === false) throw new Error(`APPEND to ${mailbox} was refused`);
    return { uid: res.uid };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Creates `mailbox` for `user` unless it exists (e.g. again after a restart). */
export async function ensureMailbox(server: MailServer, user: string | MailUser, mailbox: string): Promise<void> {
  const client = await connectImap(server, user);
  try {
    const list = await client.list();
    if (!list.some((m) => m.path === mailbox)) await client.mailboxCreate(mailbox);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** A minimal RFC 822 message with a known Message-ID, for tests that count deliveries. */
export function rawMessage(opts: { messageId: string; subject?: string; body?: string; from?: string; to?: string }): string {
  return [
    `From: ${opts.from ?? 'leads@dealer.example'}`,
    `To: ${opts.to ?? 'inbox@example.com'}`,
    `Subject: ${opts.subject ?? 'New lead'}`,
    `Message-ID: <${opts.messageId}>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    opts.body ?? 'hello',
    '',
  ].join('\r\n');
}
