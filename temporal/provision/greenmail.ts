// Provisions GreenMail standalone (com.icegreen:greenmail-standalone), the in-memory SMTP + IMAP
// server the mail integration tests run against, as a Java launcher script.
//
// Why GreenMail: it is a real IMAP server (IDLE, UIDPLUS, MOVE) published to Maven Central, the
// one registry CI reaches that has such a thing, and the Java/Maven toolchain is already needed
// for the Temporal test server. Same recipe as test-server.ts: Maven resolves the jar into a
// classpath in our cache, a launcher script wraps it, and an AppCDS archive plus C1-only JIT make
// every test's server start in well under a second instead of ~1.3 s on a 2-core machine. That
// shared recipe lives in jvm-app.ts; this file holds only what is specific to GreenMail.
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { freePort, noLog, sleep, type Log } from './exec.js';
import { createCdsArchive, jvmAppPaths, probeLaunch, provisionJvmApp, readClasspath, writeLauncher } from './jvm-app.js';

/** Newest release on Maven Central as of writing; 2.1.x needs Java 11+ (we provision 17). */
export const GREENMAIL_VERSION = '2.1.13';
export const GREENMAIL_MAIN_CLASS = 'com.icegreen.greenmail.standalone.GreenMailStandaloneRunner';
const POM = fileURLToPath(new URL('./greenmail-pom.xml', import.meta.url));

/**
 * Same startup flags as the test server (see test-server.ts for why each one), plus
 * log4j2.disable.jmx: GreenMail logs through log4j2, whose JMX MBean registration is pure
 * startup cost for a throwaway server.
 */
const JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xshare:auto', '-XX:-UsePerfData', '-Dlog4j2.disable.jmx=true'];

export interface GreenMailPaths {
  dir: string;
  classpath: string;
  archive: string;
  launcher: string;
  state: string;
  log: string;
}

export function greenMailPaths(version = GREENMAIL_VERSION): GreenMailPaths {
  const paths = jvmAppPaths('greenmail', version, 'greenmail.jsa', 'greenmail');
  return { ...paths, log: path.join(paths.dir, 'cds-training.log') };
}

/**
 * Returns `{ launcher }`, an executable that starts GreenMail; its arguments are JVM options and
 * must be GreenMail's system properties (`-Dgreenmail.imap.port=...`), which the launcher places
 * before the main class. Null when Java or Maven is missing; throws when they are present but
 * provisioning fails. Idempotent and cheap once provisioned (one `java -version`).
 */
export async function ensureGreenMail(log: Log = noLog): Promise<{ launcher: string } | null> {
  const p = greenMailPaths();
  const launcher = await provisionJvmApp(
    {
      title: 'GreenMail',
      needs: 'a JDK 11+ and Maven',
      label: 'GreenMail',
      readyEvent: 'IMAP greeting',
      paths: p,
      lockName: `greenmail-${GREENMAIL_VERSION}`,
      maven: {
        coordinates: `com.icegreen:greenmail-standalone:${GREENMAIL_VERSION}`,
        pom: POM,
        properties: [`-Dgreenmail.version=${GREENMAIL_VERSION}`],
      },
      // Key names as before the move to jvm-app.ts, so existing caches keep their fingerprint.
      fingerprintKeys: { JVM_FLAGS, GREENMAIL_MAIN_CLASS },
      trainingLog: p.log,
      createArchive: (java, log) => createArchive(java, p, log),
      writeLauncher: (java, withArchive) => writeGreenMailLauncher(java, p, withArchive),
      measureStartup: (launcher) => measureGreenMailStartup(launcher),
    },
    log,
  );
  return launcher === null ? null : { launcher };
}

/** System properties for a GreenMail with SMTP + IMAP on loopback only (no API server). */
export function greenMailArgs(imapPort: number, smtpPort: number, users: string): string[] {
  // Per-protocol hostnames rather than -Dgreenmail.hostname: the latter also switches on
  // GreenMail's REST API server, on the fixed port 8080, which would collide between servers.
  return [
    `-Dgreenmail.imap.port=${imapPort}`,
    '-Dgreenmail.imap.hostname=127.0.0.1',
    `-Dgreenmail.smtp.port=${smtpPort}`,
    '-Dgreenmail.smtp.hostname=127.0.0.1',
    `-Dgreenmail.users=${users}`,
  ];
}

/**
 * Builds the AppCDS archive (see createCdsArchive) from one run that serves real SMTP and IMAP
 * traffic, so the classes on those paths get archived too.
 */
async function createArchive(java: string, p: GreenMailPaths, log: Log): Promise<boolean> {
  const [imapPort, smtpPort] = [await freePort(), await freePort()];
  return createCdsArchive(
    java,
    {
      name: 'GreenMail',
      archive: p.archive,
      logFile: p.log,
      args: (archiveOption) => [
        ...JVM_FLAGS,
        archiveOption,
        ...greenMailArgs(imapPort, smtpPort, 'cds:cds@example.com'),
        '-cp',
        readClasspath(p),
        GREENMAIL_MAIN_CLASS,
      ],
      train: async (child) => {
        if ((await waitForImapGreeting(imapPort, 60_000, child)) !== null) await exercise(imapPort, smtpPort, log);
      },
    },
    log,
  );
}

/** Best effort: an archive of startup classes alone still gives most of the gain. */
async function exercise(imapPort: number, smtpPort: number, log: Log): Promise<void> {
  const client = new ImapFlow({ host: '127.0.0.1', port: imapPort, secure: false, logger: false, auth: { user: 'cds', pass: 'cds' } });
  client.on('error', () => {});
  try {
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
    await smtp.sendMail({ from: 'cds@example.com', to: 'cds@example.com', subject: 'cds', text: 'training' });
    await client.connect();
    await client.mailboxCreate('Processed');
    const lock = await client.getMailboxLock('INBOX');
    try {
      await client.append('INBOX', 'Subject: cds\r\nMessage-ID: <cds@example.com>\r\n\r\ntraining\r\n');
      for await (const _ of client.fetch('1:*', { uid: true, source: true, envelope: true, internalDate: true, flags: true }, { uid: true })) {
        /* drain */
      }
      await client.messageFlagsAdd('1:*', ['\\Seen', '$Training'], { uid: true });
      await client.messageMove('1', 'Processed', { uid: true });
      const idle = client.idle();
      await sleep(200);
      await client.noop(); // breaks IDLE
      await idle;
    } finally {
      lock.release();
    }
    await client.logout();
  } catch (err) {
    log(`note: GreenMail CDS training traffic failed (${(err as Error).message}); archiving startup classes only`);
    client.close();
  }
}

/**
 * Resolves with the time (ms) at which `port` answered an IMAP `* OK` greeting, or null when it
 * did not within the timeout or `child` exited first. A bare TCP connect is not enough: GreenMail
 * binds before its handler threads are ready, and tests should start only once it talks.
 */
export async function waitForImapGreeting(port: number, timeoutMs: number, child?: ChildProcess): Promise<number | null> {
  const started = performance.now();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child !== undefined && (child.exitCode !== null || child.signalCode !== null)) return null;
    if (await imapGreets(port)) return Math.round(performance.now() - started);
    await sleep(20);
  }
  return null;
}

function imapGreets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      if (data.includes('\n')) done(data.startsWith('* OK'));
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

function writeGreenMailLauncher(java: string, p: GreenMailPaths, withArchive: boolean): void {
  const flags = [...JVM_FLAGS, ...(withArchive ? [`-XX:SharedArchiveFile=${p.archive}`] : [])];
  writeLauncher(
    p.launcher,
    [
      `Generated by temporal/provision/greenmail.ts for com.icegreen:greenmail-standalone:${GREENMAIL_VERSION}.`,
      'Usage: greenmail -Dgreenmail.imap.port=N -Dgreenmail.imap.hostname=127.0.0.1 ... (JVM options)',
      'GreenMail reads only system properties, so the arguments go before the main class.',
      '`exec` so that killing the started process kills the JVM, not just a shell.',
    ],
    [java, ...flags],
    ['-cp', readClasspath(p), GREENMAIL_MAIN_CLASS],
  );
}

/** Time from spawn until the launcher's GreenMail greets on IMAP, or null if never. */
export async function measureGreenMailStartup(launcher: string, timeoutMs = 30_000): Promise<number | null> {
  const [imapPort, smtpPort] = [await freePort(), await freePort()];
  return probeLaunch(launcher, greenMailArgs(imapPort, smtpPort, 'probe:probe@example.com'), (child) => waitForImapGreeting(imapPort, timeoutMs, child));
}
