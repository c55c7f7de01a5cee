// Provisions GreenMail standalone (com.icegreen:greenmail-standalone), the in-memory SMTP + IMAP
// server the mail integration tests run against, as a Java launcher script.
//
// Why GreenMail: it is a real IMAP server (IDLE, UIDPLUS, MOVE) published to Maven Central, the
// one registry CI reaches that has such a thing, and the Java/Maven toolchain is already needed
// for the Temporal test server. Same recipe as test-server.ts: Maven resolves the jar into a
// classpath in our cache, a launcher script wraps it, and an AppCDS archive plus C1-only JIT make
// every test's server start in well under a second instead of ~1.3 s on a 2-core machine.
import crypto from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { cacheDir } from './cache.js';
import { findOnPath, freePort, isExecutableFile, noLog, run, sleep, tail, type Log } from './exec.js';
import { withLock } from './lock.js';

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

export interface GreenMailPaths { dir: string; classpath: string; archive: string; launcher: string; state: string; log: string }

export function greenMailPaths(version = GREENMAIL_VERSION): GreenMailPaths {
  const dir = path.join(cacheDir(), 'greenmail', version);
  return {
    dir,
    classpath: path.join(dir, 'classpath.txt'),
    archive: path.join(dir, 'greenmail.jsa'),
    launcher: path.join(dir, 'greenmail'),
    state: path.join(dir, 'state.json'),
    log: path.join(dir, 'cds-training.log'),
  };
}

interface State { fingerprint: string; archive: boolean; startupMs: number | null }

/**
 * Returns `{ launcher }`, an executable that starts GreenMail; its arguments are JVM options and
 * must be GreenMail's system properties (`-Dgreenmail.imap.port=...`), which the launcher places
 * before the main class. Null when Java or Maven is missing; throws when they are present but
 * provisioning fails. Idempotent and cheap once provisioned (one `java -version`).
 */
export async function ensureGreenMail(log: Log = noLog): Promise<{ launcher: string } | null> {
  const found = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : null;
  const javaPath = found !== null && isExecutableFile(found) ? found : findOnPath('java');
  // The real path keys the cache: the same JDK via /usr/bin or an alternatives link is one JDK.
  const java = javaPath === null ? null : fs.realpathSync(javaPath);
  const mvn = findOnPath('mvn');
  if (java === null || mvn === null) {
    log(`cannot provision GreenMail: ${java === null ? 'java' : 'mvn'} is not installed (needs a JDK 11+ and Maven)`);
    return null;
  }
  const javaVersion = await run(java, ['-version'], { timeoutMs: 30_000 });
  if (javaVersion.code !== 0) {
    log(`cannot provision GreenMail: \`${java} -version\` failed:\n${tail(javaVersion.output)}`);
    return null;
  }
  const p = greenMailPaths();
  const ready = fingerprintOf(p, java, javaVersion.output);
  if (ready !== null && readState(p)?.fingerprint === ready && isExecutableFile(p.launcher)) return { launcher: p.launcher };

  return withLock(path.join(cacheDir(), 'locks', `greenmail-${GREENMAIL_VERSION}`), async () => {
    fs.mkdirSync(p.dir, { recursive: true });
    if (classpathEntries(p) === null) await resolveClasspath(mvn, p, log);
    const fingerprint = fingerprintOf(p, java, javaVersion.output);
    if (fingerprint === null) throw new Error(`resolved classpath ${p.classpath} names missing jars`);
    if (readState(p)?.fingerprint === fingerprint && isExecutableFile(p.launcher)) return { launcher: p.launcher };

    const archive = await createArchive(java, p, log);
    writeLauncher(java, p, archive);
    const startupMs = await measureGreenMailStartup(p.launcher);
    log(`GreenMail launcher ${p.launcher}: IMAP greeting after ${startupMs ?? '(never)'} ms` +
      (archive ? ' (with CDS archive)' : ' (without CDS archive)'));
    if (startupMs === null) throw new Error(`the GreenMail launcher ${p.launcher} did not start; see ${p.log}`);
    writeAtomic(p.state, JSON.stringify({ fingerprint, archive, startupMs } satisfies State, null, 2));
    return { launcher: p.launcher };
  }, { log });
}

function readState(p: GreenMailPaths): State | null {
  try {
    return JSON.parse(fs.readFileSync(p.state, 'utf8')) as State;
  } catch {
    return null;
  }
}

function classpathEntries(p: GreenMailPaths): string[] | null {
  let text: string;
  try {
    text = fs.readFileSync(p.classpath, 'utf8').trim();
  } catch {
    return null;
  }
  const entries = text.split(path.delimiter).filter((e) => e !== '');
  return entries.length > 0 && entries.every((e) => fs.existsSync(e)) ? entries : null;
}

/** A CDS archive is valid only for this exact JVM build and jars (HotSpot checks size + mtime). */
function fingerprintOf(p: GreenMailPaths, java: string, javaVersionOutput: string): string | null {
  const entries = classpathEntries(p);
  if (entries === null) return null;
  const jars = entries.map((e) => { const s = fs.statSync(e); return [e, s.size, Math.floor(s.mtimeMs)]; });
  const material = JSON.stringify({ layout: 1, java, javaVersionOutput, jars, JVM_FLAGS, GREENMAIL_MAIN_CLASS });
  return crypto.createHash('sha256').update(material).digest('hex');
}

async function resolveClasspath(mvn: string, p: GreenMailPaths, log: Log): Promise<void> {
  log(`resolving com.icegreen:greenmail-standalone:${GREENMAIL_VERSION} with Maven (first time only)`);
  const tmp = `${p.classpath}.tmp-${process.pid}`;
  const res = await run(mvn, ['-B', '-q', '-Dstyle.color=never', '-f', POM, `-Dgreenmail.version=${GREENMAIL_VERSION}`,
    'dependency:build-classpath', `-Dmdep.outputFile=${tmp}`], { timeoutMs: 20 * 60_000 });
  if (res.code !== 0 || !fs.existsSync(tmp)) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`mvn dependency:build-classpath failed (${res.signal ?? `exit ${res.code}`}):\n${tail(res.output)}`);
  }
  fs.renameSync(tmp, p.classpath);
}

/** System properties for a GreenMail with SMTP + IMAP on loopback only (no API server). */
export function greenMailArgs(imapPort: number, smtpPort: number, users: string): string[] {
  // Per-protocol hostnames rather than -Dgreenmail.hostname: the latter also switches on
  // GreenMail's REST API server, on the fixed port 8080, which would collide between servers.
  return [`-Dgreenmail.imap.port=${imapPort}`, '-Dgreenmail.imap.hostname=127.0.0.1',
    `-Dgreenmail.smtp.port=${smtpPort}`, '-Dgreenmail.smtp.hostname=127.0.0.1', `-Dgreenmail.users=${users}`];
}

/**
 * Builds the AppCDS archive (JDK 13+ dynamic archiving): one run with -XX:ArchiveClassesAtExit
 * that serves real SMTP and IMAP traffic, so the classes on those paths get archived too, then
 * an orderly SIGTERM exit (HotSpot writes the archive only then). False when no archive came
 * out; the launcher then just starts more slowly.
 */
async function createArchive(java: string, p: GreenMailPaths, log: Log): Promise<boolean> {
  const tmp = `${p.archive}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  const [imapPort, smtpPort] = [await freePort(), await freePort()];
  log('creating GreenMail\'s class-data sharing archive (one-off, a few seconds)');
  const out = fs.openSync(p.log, 'w');
  const child = spawn(java, [...JVM_FLAGS, `-XX:ArchiveClassesAtExit=${tmp}`, ...greenMailArgs(imapPort, smtpPort, 'cds:cds@example.com'),
    '-cp', fs.readFileSync(p.classpath, 'utf8').trim(), GREENMAIL_MAIN_CLASS], { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const exited = exitOf(child);
  try {
    if ((await waitForImapGreeting(imapPort, 60_000, child)) !== null) await exercise(imapPort, smtpPort, log);
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
  }
  if (!fs.existsSync(tmp) || fs.statSync(tmp).size === 0) {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(p.archive, { force: true });
    log(`warning: no CDS archive was written (see ${p.log}); GreenMail will start more slowly`);
    return false;
  }
  fs.renameSync(tmp, p.archive);
  return true;
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
      for await (const _ of client.fetch('1:*', { uid: true, source: true, envelope: true, internalDate: true, flags: true }, { uid: true })) { /* drain */ }
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
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(2000, () => done(false));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      if (data.includes('\n')) done(data.startsWith('* OK'));
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

function writeLauncher(java: string, p: GreenMailPaths, withArchive: boolean): void {
  const classpath = fs.readFileSync(p.classpath, 'utf8').trim();
  const flags = [...JVM_FLAGS, ...(withArchive ? [`-XX:SharedArchiveFile=${p.archive}`] : [])];
  const script = [
    '#!/bin/sh',
    `# Generated by temporal/provision/greenmail.ts for com.icegreen:greenmail-standalone:${GREENMAIL_VERSION}.`,
    '# Usage: greenmail -Dgreenmail.imap.port=N -Dgreenmail.imap.hostname=127.0.0.1 ... (JVM options)',
    '# GreenMail reads only system properties, so the arguments go before the main class.',
    '# `exec` so that killing the started process kills the JVM, not just a shell.',
    `exec ${[java, ...flags].map(shellQuote).join(' ')} "$@" ${['-cp', classpath, GREENMAIL_MAIN_CLASS].map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
  writeAtomic(p.launcher, script, 0o755);
}

/** Time from spawn until the launcher's GreenMail greets on IMAP, or null if never. */
export async function measureGreenMailStartup(launcher: string, timeoutMs = 30_000): Promise<number | null> {
  const [imapPort, smtpPort] = [await freePort(), await freePort()];
  const child = spawn(launcher, greenMailArgs(imapPort, smtpPort, 'probe:probe@example.com'), { stdio: 'ignore' });
  const exited = exitOf(child);
  try {
    return await waitForImapGreeting(imapPort, timeoutMs, child);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Settles when the child is gone, including when it never started (spawn 'error'). */
function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

function writeAtomic(file: string, content: string, mode = 0o644): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, content, { mode });
  fs.renameSync(tmp, file);
}
