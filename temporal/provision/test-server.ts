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
//
// The resolve / archive / launcher / cache-state recipe is shared with greenmail.ts and lives in
// jvm-app.ts; this file holds only what is specific to the test server.
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { freePort, noLog, portOpen, sleep, type Log } from './exec.js';
import { createCdsArchive, jvmAppPaths, probeLaunch, provisionJvmApp, readClasspath, writeLauncher } from './jvm-app.js';

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
  return jvmAppPaths('test-server', version, 'test-server.jsa', 'temporal-test-server');
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
  const p = testServerPaths();
  return provisionJvmApp(
    {
      title: 'the Temporal test server',
      needs: 'a JDK 17+ and Maven',
      label: 'test server',
      readyEvent: 'listening',
      paths: p,
      lockName: `test-server-${TEST_SERVER_VERSION}`,
      maven: {
        coordinates: `io.temporal:temporal-test-server:${TEST_SERVER_VERSION}`,
        pom: POM,
        properties: [`-Dtemporal.test-server.version=${TEST_SERVER_VERSION}`],
      },
      fingerprintKeys: { JVM_FLAGS, MAIN_CLASS },
      trainingLog: logFile(p),
      createArchive: (java, log) => createArchive(java, p, log),
      writeLauncher: (java, withArchive) => writeTestServerLauncher(java, p, withArchive),
      measureStartup: (launcher) => measureStartup(launcher),
      checkStartup: (startupMs, log) => {
        if (startupMs > 3000) log("warning: that is close to the SDK's 5 s startup limit; the machine may be overloaded");
      },
    },
    log,
  );
}

function logFile(p: TestServerPaths): string {
  return path.join(p.dir, 'cds-training.log');
}

/**
 * Builds the AppCDS archive (see createCdsArchive) from one run of the server with time skipping
 * on, trained with real gRPC traffic once it listens.
 */
async function createArchive(java: string, p: TestServerPaths, log: Log): Promise<boolean> {
  const port = await freePort();
  return createCdsArchive(
    java,
    {
      name: 'the test server',
      archive: p.archive,
      logFile: logFile(p),
      args: (archiveOption) => [...JVM_FLAGS, archiveOption, '-cp', readClasspath(p), MAIN_CLASS, String(port), '--enable-time-skipping'],
      train: async (child) => {
        if (await waitForPort(port, 60_000, child)) await exerciseServer(port, log);
      },
    },
    log,
  );
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
      namespace,
      workflowId,
      requestId: crypto.randomUUID(),
      identity: 'leadflow-provision',
      workflowType: { name: 'cdsTraining' },
      taskQueue: { name: 'cds-training' },
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

function writeTestServerLauncher(java: string, p: TestServerPaths, withArchive: boolean): void {
  const flags = [...JVM_FLAGS, ...(withArchive ? [`-XX:SharedArchiveFile=${p.archive}`] : [])];
  writeLauncher(
    p.launcher,
    [
      `Generated by temporal/provision/test-server.ts for io.temporal:temporal-test-server:${TEST_SERVER_VERSION}.`,
      'Usage: temporal-test-server <port> [--enable-time-skipping]',
      '`exec` matters: the SDK stops the server by killing the process it started, which must be',
      'the JVM itself, not a shell that would leave the JVM running.',
    ],
    [java, ...flags, '-cp', readClasspath(p), MAIN_CLASS],
  );
}

/** Time from spawn until the launcher's server accepts TCP connections, or null if never. */
export async function measureStartup(launcher: string, timeoutMs = 30_000): Promise<number | null> {
  const port = await freePort();
  const started = performance.now();
  return probeLaunch(launcher, [String(port)], async (child) => ((await waitForPort(port, timeoutMs, child)) ? Math.round(performance.now() - started) : null));
}
