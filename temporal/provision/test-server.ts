// Provisions the time-skipping Temporal test server as a Java launcher script.
//
// Why Java: TestWorkflowEnvironment.createTimeSkipping() normally downloads a native test-server
// build from GitHub, which CI here cannot reach; the same server is published to Maven Central
// as io.temporal:temporal-test-server, so Maven resolves it and we start it on the JVM.
//
// Why the JVM tuning: the SDK core starts the executable and gives it only ~5 s (50 connection
// attempts, 100 ms apart) to accept gRPC connections, then kills it. A cold JVM on a busy 2-core
// machine needs 2-3 s for this server, too close to that limit; with C1-only JIT, serial GC and
// an AppCDS archive of the server's own classes (made once here) it needs about half a second.
import crypto from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { cacheDir } from './cache.js';
import { findOnPath, freePort, isExecutableFile, noLog, portOpen, run, sleep, tail, type Log } from './exec.js';
import { withLock } from './lock.js';

/** Maven version of io.temporal:temporal-test-server; overrides the default in the pom. */
export const TEST_SERVER_VERSION = '1.38.0';
const MAIN_CLASS = 'io.temporal.testserver.TestServer';
const POM = fileURLToPath(new URL('../test-server/pom.xml', import.meta.url));

/**
 * Startup flags, each chosen for time-to-listening on a small machine:
 * - TieredStopAtLevel=1: C1 only; C2 compiles would compete with startup for 2 cores, and a
 *   test server handles too little traffic to profit from peak-optimised code.
 * - UseSerialGC: no parallel/G1 GC worker threads to create; tests need tiny heaps.
 * - Xshare:auto: use the CDS archive when it matches this JVM and classpath, and silently run
 *   without it (slower, still correct) when e.g. the JDK was upgraded since provisioning.
 * - UsePerfData off: skips creating the hsperfdata memory-mapped file in /tmp.
 */
const JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xshare:auto', '-XX:-UsePerfData'];

export interface TestServerPaths {
  dir: string;
  classpath: string;
  archive: string;
  launcher: string;
  state: string;
}

export function testServerPaths(version = TEST_SERVER_VERSION): TestServerPaths {
  const dir = path.join(cacheDir(), 'test-server', version);
  return {
    dir,
    classpath: path.join(dir, 'classpath.txt'),
    archive: path.join(dir, 'test-server.jsa'),
    launcher: path.join(dir, 'temporal-test-server'),
    state: path.join(dir, 'state.json'),
  };
}

interface State { fingerprint: string; archive: boolean; startupMs: number | null }

function findJava(): string | null {
  // JAVA_HOME first: it is also what mvn uses, so classpath and runtime agree.
  const home = process.env.JAVA_HOME;
  if (home !== undefined && home !== '' && isExecutableFile(path.join(home, 'bin', 'java'))) {
    return path.join(home, 'bin', 'java');
  }
  return findOnPath('java');
}

/**
 * Returns the path of an executable that starts the test server (args: `<port>` and optionally
 * `--enable-time-skipping`), or null when Java or Maven is missing; throws when they are there
 * but provisioning fails (e.g. Maven cannot reach its repository). Idempotent and cheap once
 * provisioned (one `java -version`); regenerates whatever a JDK, classpath or flag change made
 * stale. Note: SDK 1.24's core passes only `<port>` plus `extraArgs`, so the server starts with
 * time skipping locked; env.sleep() and awaiting workflow results unlock it as needed, exactly
 * as with the SDK's downloaded native build (the same Java code, compiled with GraalVM).
 */
export async function ensureTestServer(log: Log = noLog): Promise<string | null> {
  const found = findJava();
  // The real path keys the cache and goes into the launcher: the same JDK reached through
  // /bin vs /usr/bin or an alternatives symlink must not look like a different one.
  const java = found === null ? null : fs.realpathSync(found);
  const mvn = findOnPath('mvn');
  if (java === null || mvn === null) {
    log(`cannot provision the Temporal test server: ${java === null ? 'java' : 'mvn'} is not installed (needs a JDK 17+ and Maven)`);
    return null;
  }
  const javaVersion = await run(java, ['-version'], { timeoutMs: 30_000 });
  if (javaVersion.code !== 0) {
    log(`cannot provision the Temporal test server: \`${java} -version\` failed:\n${tail(javaVersion.output)}`);
    return null;
  }
  const p = testServerPaths();
  // Fast path without the lock: everything present and still matching this JDK and classpath.
  const ready = currentFingerprint(p, java, javaVersion.output);
  if (ready !== null && readState(p)?.fingerprint === ready && isExecutableFile(p.launcher)) return p.launcher;

  return withLock(path.join(cacheDir(), 'locks', `test-server-${TEST_SERVER_VERSION}`), async () => {
    fs.mkdirSync(p.dir, { recursive: true });
    if (classpathEntries(p) === null) await resolveClasspath(mvn, p, log);
    const fingerprint = currentFingerprint(p, java, javaVersion.output);
    if (fingerprint === null) throw new Error(`resolved classpath ${p.classpath} names missing jars`);
    const state = readState(p);
    if (state?.fingerprint === fingerprint && isExecutableFile(p.launcher)) return p.launcher;

    const archive = await createArchive(java, p, log);
    writeLauncher(java, p, archive);
    const startupMs = await measureStartup(p.launcher);
    log(`test server launcher ${p.launcher}: listening after ${startupMs ?? '(never)'} ms` +
      (archive ? ' (with CDS archive)' : ' (without CDS archive)'));
    if (startupMs === null) throw new Error(`the test server launcher ${p.launcher} did not start; see ${logFile(p)}`);
    if (startupMs > 3000) log('warning: that is close to the SDK\'s 5 s startup limit; the machine may be overloaded');
    writeAtomic(p.state, JSON.stringify({ fingerprint, archive, startupMs } satisfies State, null, 2));
    return p.launcher;
  }, { log });
}

function readState(p: TestServerPaths): State | null {
  try {
    return JSON.parse(fs.readFileSync(p.state, 'utf8')) as State;
  } catch {
    return null;
  }
}

/** The resolved jars, or null when not resolved yet or a jar vanished (e.g. ~/.m2 pruned). */
function classpathEntries(p: TestServerPaths): string[] | null {
  let text: string;
  try {
    text = fs.readFileSync(p.classpath, 'utf8').trim();
  } catch {
    return null;
  }
  const entries = text.split(path.delimiter).filter((e) => e !== '');
  if (entries.length === 0 || !entries.every((e) => fs.existsSync(e))) return null;
  return entries;
}

/**
 * A CDS archive is only valid for the exact JVM build and the exact jars (HotSpot checks their
 * sizes and mtimes), so those, plus our flags and the launcher layout, key the cached state.
 */
function currentFingerprint(p: TestServerPaths, java: string, javaVersionOutput: string): string | null {
  const entries = classpathEntries(p);
  if (entries === null) return null;
  const jars = entries.map((e) => { const s = fs.statSync(e); return [e, s.size, Math.floor(s.mtimeMs)]; });
  const material = JSON.stringify({ layout: 1, java, javaVersionOutput, jars, JVM_FLAGS, MAIN_CLASS });
  return crypto.createHash('sha256').update(material).digest('hex');
}

async function resolveClasspath(mvn: string, p: TestServerPaths, log: Log): Promise<void> {
  log(`resolving io.temporal:temporal-test-server:${TEST_SERVER_VERSION} with Maven (first time only)`);
  const tmp = `${p.classpath}.tmp-${process.pid}`;
  const res = await run(mvn, ['-B', '-q', '-Dstyle.color=never', '-f', POM, `-Dtemporal.test-server.version=${TEST_SERVER_VERSION}`,
    'dependency:build-classpath', `-Dmdep.outputFile=${tmp}`], { timeoutMs: 20 * 60_000 });
  if (res.code !== 0 || !fs.existsSync(tmp)) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`mvn dependency:build-classpath failed (${res.signal ?? `exit ${res.code}`}):\n${tail(res.output)}`);
  }
  fs.renameSync(tmp, p.classpath);
}

function logFile(p: TestServerPaths): string {
  return path.join(p.dir, 'cds-training.log');
}

/**
 * Builds the AppCDS archive (JDK 13+ dynamic archiving) by starting the server once with
 * -XX:ArchiveClassesAtExit, waiting until it listens, and stopping it with SIGTERM: HotSpot
 * writes the archive during an orderly exit only, never on SIGKILL. Returns false (and the
 * launcher then runs without it) when the JVM cannot make one; that costs speed, not function.
 */
async function createArchive(java: string, p: TestServerPaths, log: Log): Promise<boolean> {
  const tmp = `${p.archive}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  const port = await freePort();
  log('creating the test server\'s class-data sharing archive (one-off, a few seconds)');
  const out = fs.openSync(logFile(p), 'w');
  const child = spawn(java, [...JVM_FLAGS, `-XX:ArchiveClassesAtExit=${tmp}`, '-cp', fs.readFileSync(p.classpath, 'utf8').trim(),
    MAIN_CLASS, String(port), '--enable-time-skipping'], { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const exited = exitOf(child);
  try {
    const up = await waitForPort(port, 60_000, child);
    if (up) await exerciseServer(port, log);
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
  }
  if (!fs.existsSync(tmp) || fs.statSync(tmp).size === 0) {
    fs.rmSync(tmp, { force: true });
    log(`warning: no CDS archive was written (see ${logFile(p)}); the test server will start more slowly`);
    fs.rmSync(p.archive, { force: true });
    return false;
  }
  fs.renameSync(tmp, p.archive);
  return true;
}

/**
 * Drives a little real traffic through the training server so that the classes on the request
 * path (gRPC/Netty HTTP/2 handling, protobuf messages, the in-memory history engine) are archived
 * as well: the SDK's readiness probe is itself a gRPC call, and every test makes many more.
 * Best effort: an archive of startup classes alone still gives most of the gain.
 */
async function exerciseServer(port: number, log: Log): Promise<void> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: '30 seconds' });
    const ws = connection.workflowService;
    const namespace = 'default';
    const workflowId = `cds-training-${crypto.randomUUID()}`;
    await ws.describeNamespace({ namespace });
    await ws.startWorkflowExecution({
      namespace, workflowId, requestId: crypto.randomUUID(), identity: 'leadflow-provision',
      workflowType: { name: 'cdsTraining' }, taskQueue: { name: 'cds-training' },
    });
    await ws.describeWorkflowExecution({ namespace, execution: { workflowId } });
    await ws.terminateWorkflowExecution({ namespace, workflowExecution: { workflowId }, reason: 'CDS training done' });
  } catch (err) {
    log(`note: CDS training traffic failed (${(err as Error).message}); archiving startup classes only`);
  } finally {
    await connection?.close().catch(() => {});
  }
  // The server registers its shutdown hook just after it starts listening; a SIGTERM before
  // that makes main() throw and skips the orderly exit that writes the archive.
  await sleep(500);
}

async function waitForPort(port: number, timeoutMs: number, child?: { exitCode: number | null; signalCode: string | null }): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child !== undefined && (child.exitCode !== null || child.signalCode !== null)) return false;
    if (await portOpen(port)) return true;
    await sleep(20);
  }
  return false;
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

function writeLauncher(java: string, p: TestServerPaths, withArchive: boolean): void {
  const classpath = fs.readFileSync(p.classpath, 'utf8').trim();
  const flags = [...JVM_FLAGS, ...(withArchive ? [`-XX:SharedArchiveFile=${p.archive}`] : [])];
  const script = [
    '#!/bin/sh',
    `# Generated by temporal/provision/test-server.ts for io.temporal:temporal-test-server:${TEST_SERVER_VERSION}.`,
    '# Usage: temporal-test-server <port> [--enable-time-skipping]',
    '# `exec` matters: the SDK stops the server by killing the process it started, which must be',
    '# the JVM itself, not a shell that would leave the JVM running.',
    `exec ${[java, ...flags, '-cp', classpath, MAIN_CLASS].map(shellQuote).join(' ')} "$@"`,
    '',
  ].join('\n');
  writeAtomic(p.launcher, script, 0o755);
}

/** Time from spawn until the launcher's server accepts TCP connections, or null if never. */
export async function measureStartup(launcher: string, timeoutMs = 30_000): Promise<number | null> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(launcher, [String(port)], { stdio: 'ignore' });
  const exited = exitOf(child);
  try {
    return (await waitForPort(port, timeoutMs, child)) ? Math.round(performance.now() - started) : null;
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
