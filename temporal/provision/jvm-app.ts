// The recipe shared by the Java programs we provision from Maven Central (the Temporal test
// server, GreenMail): Maven resolves the artifact into a classpath file in our cache, an AppCDS
// archive of the app's classes is trained once, and a launcher script starts the JVM with it.
// test-server.ts and greenmail.ts keep only what differs: JVM flags, how the app is trained and
// probed, and where its arguments go on the command line.
//
// Why one module: the two copies had drifted in small ways (one documented the fingerprint, the
// other did not); fixing the cache invalidation or lock logic in one place fixes both apps.
import crypto from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir } from './cache.js';
import { findOnPath, isExecutableFile, run, tail, type Log } from './exec.js';
import { withLock } from './lock.js';

/** Where one provisioned app version lives in the cache. */
export interface JvmAppPaths {
  dir: string;
  classpath: string;
  archive: string;
  launcher: string;
  state: string;
}

/** `<cache>/<kind>/<version>/`, holding classpath.txt, the CDS archive, the launcher, state.json. */
export function jvmAppPaths(kind: string, version: string, archiveName: string, launcherName: string): JvmAppPaths {
  const dir = path.join(cacheDir(), kind, version);
  return {
    dir,
    classpath: path.join(dir, 'classpath.txt'),
    archive: path.join(dir, archiveName),
    launcher: path.join(dir, launcherName),
    state: path.join(dir, 'state.json'),
  };
}

/** What state.json records after a successful provisioning run. */
export interface JvmAppState {
  fingerprint: string;
  archive: boolean;
  startupMs: number | null;
}

export function readState(p: JvmAppPaths): JvmAppState | null {
  try {
    return JSON.parse(fs.readFileSync(p.state, 'utf8')) as JvmAppState;
  } catch {
    return null;
  }
}

export function writeState(p: JvmAppPaths, state: JvmAppState): void {
  writeAtomic(p.state, JSON.stringify(state, null, 2));
}

/** `java` to use: JAVA_HOME first, because that is also what mvn uses, so classpath and runtime agree. */
export function findJava(): string | null {
  const home = process.env.JAVA_HOME;
  if (home !== undefined && home !== '' && isExecutableFile(path.join(home, 'bin', 'java'))) {
    return path.join(home, 'bin', 'java');
  }
  return findOnPath('java');
}

/**
 * The real path of `java` plus `mvn`, or the name of the one that is missing. The real path keys
 * the cache and goes into launchers: the same JDK reached through /bin vs /usr/bin or an
 * alternatives symlink must not look like a different one.
 */
export function findJavaAndMaven(): { java: string; mvn: string } | { missing: 'java' | 'mvn' } {
  const found = findJava();
  const java = found === null ? null : fs.realpathSync(found);
  const mvn = findOnPath('mvn');
  if (java === null) return { missing: 'java' };
  if (mvn === null) return { missing: 'mvn' };
  return { java, mvn };
}

/** The classpath file's text: entries joined with path.delimiter, as Maven wrote it. */
export function readClasspath(p: JvmAppPaths): string {
  return fs.readFileSync(p.classpath, 'utf8').trim();
}

/** The resolved jars, or null when not resolved yet or a jar vanished (e.g. ~/.m2 pruned). */
export function classpathEntries(p: JvmAppPaths): string[] | null {
  let text: string;
  try {
    text = readClasspath(p);
  } catch {
    return null;
  }
  const entries = text.split(path.delimiter).filter((e) => e !== '');
  return entries.length > 0 && entries.every((e) => fs.existsSync(e)) ? entries : null;
}

/**
 * A CDS archive is only valid for the exact JVM build and the exact jars (HotSpot checks their
 * sizes and mtimes), so those, plus the app's flags and main class (`keys`), key the cached state.
 * `keys` keeps each app's original property names so caches provisioned before this module
 * existed still match and are not rebuilt.
 */
export function fingerprint(p: JvmAppPaths, java: string, javaVersionOutput: string, keys: Record<string, unknown>): string | null {
  const entries = classpathEntries(p);
  if (entries === null) return null;
  const jars = entries.map((e) => {
    const s = fs.statSync(e);
    return [e, s.size, Math.floor(s.mtimeMs)];
  });
  const material = JSON.stringify({ layout: 1, java, javaVersionOutput, jars, ...keys });
  return crypto.createHash('sha256').update(material).digest('hex');
}

/** A Maven artifact resolved through a pom whose version is overridable by a -D property. */
export interface MavenArtifact {
  coordinates: string;
  pom: string;
  properties: string[];
}

/** Writes the artifact's runtime classpath to `outFile` (atomically, so a kill leaves none). */
export async function resolveClasspath(mvn: string, artifact: MavenArtifact, outFile: string, log: Log): Promise<void> {
  log(`resolving ${artifact.coordinates} with Maven (first time only)`);
  const tmp = `${outFile}.tmp-${process.pid}`;
  const res = await run(
    mvn,
    ['-B', '-q', '-Dstyle.color=never', '-f', artifact.pom, ...artifact.properties, 'dependency:build-classpath', `-Dmdep.outputFile=${tmp}`],
    { timeoutMs: 20 * 60_000 },
  );
  if (res.code !== 0 || !fs.existsSync(tmp)) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`mvn dependency:build-classpath failed (${res.signal ?? `exit ${res.code}`}):\n${tail(res.output)}`);
  }
  fs.renameSync(tmp, outFile);
}

export interface CdsTraining {
  /** Who the archive is for, in messages: 'the test server', 'GreenMail'. */
  name: string;
  archive: string;
  /** Receives the training JVM's output, for when no archive comes out. */
  logFile: string;
  /** The full java argument list, given the -XX:ArchiveClassesAtExit option to include. */
  args: (archiveOption: string) => string[];
  /** Waits until the app is up and drives some traffic through it (best effort). */
  train: (child: ChildProcess) => Promise<void>;
}

/**
 * Builds an AppCDS archive (JDK 13+ dynamic archiving) by running the app once with
 * -XX:ArchiveClassesAtExit, training it, and stopping it with SIGTERM: HotSpot writes the archive
 * during an orderly exit only, never on SIGKILL. Returns false (and the launcher then runs
 * without it) when the JVM cannot make one; that costs speed, not function.
 */
export async function createCdsArchive(java: string, t: CdsTraining, log: Log): Promise<boolean> {
  const tmp = `${t.archive}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  const args = t.args(`-XX:ArchiveClassesAtExit=${tmp}`);
  log(`creating ${t.name}'s class-data sharing archive (one-off, a few seconds)`);
  const out = fs.openSync(t.logFile, 'w');
  const child = spawn(java, args, { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const exited = exitOf(child);
  try {
    await t.train(child);
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
  }
  if (!fs.existsSync(tmp) || fs.statSync(tmp).size === 0) {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(t.archive, { force: true });
    log(`warning: no CDS archive was written (see ${t.logFile}); ${t.name} will start more slowly`);
    return false;
  }
  fs.renameSync(tmp, t.archive);
  return true;
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * Writes a /bin/sh launcher: `comments` (without '# '), then `exec <before> "$@" <after>`.
 * `exec` matters: callers stop the app by killing the process they started, which must be the
 * JVM itself, not a shell that would leave the JVM running.
 */
export function writeLauncher(file: string, comments: string[], before: string[], after: string[] = []): void {
  const command = [before.map(shellQuote).join(' '), '"$@"', ...(after.length > 0 ? [after.map(shellQuote).join(' ')] : [])];
  const script = ['#!/bin/sh', ...comments.map((c) => `# ${c}`), `exec ${command.join(' ')}`, ''].join('\n');
  writeAtomic(file, script, 0o755);
}

/** Starts `launcher`, runs `probe` on it, and always kills it (SIGKILL) and waits for the exit. */
export async function probeLaunch<T>(launcher: string, args: string[], probe: (child: ChildProcess) => Promise<T>): Promise<T> {
  const child = spawn(launcher, args, { stdio: 'ignore' });
  const exited = exitOf(child);
  try {
    return await probe(child);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Settles when the child is gone, including when it never started (spawn 'error'). */
export function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

export function writeAtomic(file: string, content: string, mode = 0o644): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, content, { mode });
  fs.renameSync(tmp, file);
}

export interface JvmAppSpec {
  /** The app in "cannot provision ..." messages, e.g. 'the Temporal test server'. */
  title: string;
  /** The toolchain it needs, e.g. 'a JDK 17+ and Maven'. */
  needs: string;
  /** The app in launcher messages, e.g. 'test server' ("test server launcher ..."). */
  label: string;
  /** What startupMs measures, e.g. 'listening', 'IMAP greeting'. */
  readyEvent: string;
  paths: JvmAppPaths;
  /** Lock file name under <cache>/locks; one per app version. */
  lockName: string;
  maven: MavenArtifact;
  /** App-specific fingerprint material (flags, main class); see fingerprint(). */
  fingerprintKeys: Record<string, unknown>;
  /** Where createArchive's training JVM logged, named when the launcher fails to start. */
  trainingLog: string;
  createArchive: (java: string, log: Log) => Promise<boolean>;
  writeLauncher: (java: string, withArchive: boolean) => void;
  measureStartup: (launcher: string) => Promise<number | null>;
  /** Extra checks on a measured startup time (e.g. warn when close to a caller's limit). */
  checkStartup?: (startupMs: number, log: Log) => void;
}

/**
 * Returns the launcher path, or null when Java or Maven is missing or `java -version` fails;
 * throws when they are there but provisioning fails. Idempotent and cheap once provisioned (one
 * `java -version`); regenerates whatever a JDK, classpath or flag change made stale.
 */
export async function provisionJvmApp(spec: JvmAppSpec, log: Log): Promise<string | null> {
  const tools = findJavaAndMaven();
  if ('missing' in tools) {
    log(`cannot provision ${spec.title}: ${tools.missing} is not installed (needs ${spec.needs})`);
    return null;
  }
  const { java, mvn } = tools;
  const javaVersion = await run(java, ['-version'], { timeoutMs: 30_000 });
  if (javaVersion.code !== 0) {
    log(`cannot provision ${spec.title}: \`${java} -version\` failed:\n${tail(javaVersion.output)}`);
    return null;
  }
  const p = spec.paths;
  const current = () => fingerprint(p, java, javaVersion.output, spec.fingerprintKeys);
  const isReady = (fp: string | null) => fp !== null && readState(p)?.fingerprint === fp && isExecutableFile(p.launcher);
  // Fast path without the lock: everything present and still matching this JDK and classpath.
  if (isReady(current())) return p.launcher;

  return withLock(
    path.join(cacheDir(), 'locks', spec.lockName),
    async () => {
      fs.mkdirSync(p.dir, { recursive: true });
      if (classpathEntries(p) === null) await resolveClasspath(mvn, spec.maven, p.classpath, log);
      const fp = current();
      if (fp === null) throw new Error(`resolved classpath ${p.classpath} names missing jars`);
      // Another process may have finished the job while we waited for the lock.
      if (isReady(fp)) return p.launcher;

      const archive = await spec.createArchive(java, log);
      spec.writeLauncher(java, archive);
      const startupMs = await spec.measureStartup(p.launcher);
      log(
        `${spec.label} launcher ${p.launcher}: ${spec.readyEvent} after ${startupMs ?? '(never)'} ms` +
          (archive ? ' (with CDS archive)' : ' (without CDS archive)'),
      );
      if (startupMs === null) throw new Error(`the ${spec.label} launcher ${p.launcher} did not start; see ${spec.trainingLog}`);
      spec.checkStartup?.(startupMs, log);
      writeState(p, { fingerprint: fp, archive, startupMs });
      return p.launcher;
    },
    { log },
  );
}
