import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { AssayError } from '../../core/errors.ts';
import { BROKER_DIR, BROKER_PROGRAM, bwrapArgs, environmentArgs, STUDENT_AREAS_DIR, STUDENT_SLOTS, SUBMISSION_DIR, systemArgs } from './bwrap-args.ts';
import { detectCgroupDriver } from './cgroups.ts';
import { buildSandboxEtc } from './etc.ts';
import type { CgroupDriver, CgroupPreference, CgroupStats } from './cgroups.ts';
import { launcherPayload, LauncherPool } from './launcher.ts';
import type { Launcher } from './launcher.ts';
import { addressSpaceFor, resolveLimits } from './limits.ts';
import { brokerProgram, nativePrograms, nativeUnavailable } from './native.ts';
import { HeadTailCapture } from './output.ts';
import { DEFAULT_LIMITS } from './types.ts';
import type { CgroupDriverName, SandboxFile, SandboxLimits, SandboxResult, SandboxRunOptions } from './types.ts';
import { createSharedUserns, DEFAULT_STUDENT_HOST_UID_BASE, STUDENT_UIDS } from './userns.ts';
import type { SharedUserns } from './userns.ts';
import { startWatchdog } from './watchdog.ts';
import type { Watchdog } from './watchdog.ts';
import { DEFAULT_WORK_DIR_QUOTA, WorkDirs } from './work-dirs.ts';
import type { WorkDirQuota } from './work-dirs.ts';
import { normalizeFiles, readWorkFile } from './workdir.ts';
import type { Owner } from './workdir.ts';

export interface SandboxSettings {
  /** Where work directories are created (default $ASSAY_SANDBOX_ROOT or <tmpdir>/assay-sandbox). */
  root?: string;
  /** bwrap to use; default: found on PATH. null means "none" (everything reports unavailable). */
  bwrapPath?: string | null;
  /** prlimit inside the sandbox (for RLIMIT_NPROC when there is no cgroup); must be under /usr. */
  prlimitPath?: string;
  /** bash for the launchers (default /bin/bash; needs bash >= 4.4). */
  bashPath?: string;
  /** Launchers kept ready ahead of runs (default 2). */
  poolSize?: number;
  cgroups?: CgroupPreference;
  /** Name of the cgroup (under this process's own) that holds the run cgroups. */
  cgroupName?: string;
  /** Host uid/gid of the sandboxed processes when this process is root (default 65534, nobody). */
  hostUid?: number;
  hostGid?: number;
  /** More host paths to show read-only at the same place (e.g. /opt/jdk). */
  readOnlyPaths?: string[];
  /** Limits used where a run gives none (on top of DEFAULT_LIMITS). */
  defaultLimits?: Partial<SandboxLimits>;
  /**
   * What a run's work dir may hold in all (default $ASSAY_SANDBOX_WORK_BYTES / $ASSAY_SANDBOX_WORK_FILES,
   * else DEFAULT_WORK_DIR_QUOTA). Enforced by the kernel (a tmpfs per run) when this process is root.
   */
  workDirQuota?: Partial<WorkDirQuota>;
  /**
   * How run_student keeps the student's code apart from its harness (default
   * $ASSAY_SANDBOX_SEPARATION, else `auto`): `uid`, as other uids of the harness's own sandbox
   * (needs root, a cgroup driver and a C compiler at build time; userns.ts, native/broker.c); `nested`, in a sandbox of its own
   * inside the harness's; `auto`, uid where it can be had, else nested.
   */
  separation?: SeparationPreference;
  /** First host uid (and gid) of the block the student uids map to (default $ASSAY_SANDBOX_STUDENT_UID_BASE, else 0x70000000). */
  studentHostUidBase?: number;
}

export type SeparationPreference = 'auto' | 'uid' | 'nested';
export type Separation = 'uid' | 'nested';

export interface SandboxStatus {
  available: boolean;
  /** Why not, when not available. */
  reason: string | null;
  bwrap: string | null;
  root: string;
  cgroupDriver: CgroupDriverName | null;
  cgroupLocation: string | null;
  /** How run_student keeps the student's code apart (null when unavailable). */
  separation: Separation | null;
  /** Why better cgroup drivers (or separation by uid) were passed over. */
  notes: string[];
}

interface Ready {
  bwrap: string;
  prlimit: string;
  system: string[];
  driver: CgroupDriver;
  notes: string[];
  owner: Owner;
  pool: LauncherPool;
  workDirs: WorkDirs;
  separation: Separation;
  userns: SharedUserns | null;
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  wallMs: number;
  stdout: HeadTailCapture;
  stderr: HeadTailCapture;
}

/**
 * Numbers the run cgroups of this thread. Names must be unique across every Sandbox instance of the
 * process, in every thread (each thread has its own copy of this module): `<pid>-<thread>-<n>`.
 */
let runSequence = 0;

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(os.constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

function unavailable(message: string): AssayError {
  return new AssayError('unavailable', `Sandbox unavailable: ${message}`, { reason: 'sandbox_unavailable' });
}

export function findExecutable(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/bin', '/bin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* keep looking */
    }
  }
  return null;
}

/**
 * Runs commands in bubblewrap sandboxes: one fresh work directory, one cgroup and one bwrap process
 * per run. Never runs anything unsandboxed: when bwrap is missing or does not work here, every run
 * throws `unavailable`.
 */
export class Sandbox {
  readonly root: string;
  private ready: Promise<Ready> | null = null;
  private pool: LauncherPool | null = null;
  private watchdog: Watchdog | null = null;
  private workDirs: WorkDirs | null = null;
  private userns: SharedUserns | null = null;
  /** Which block of student uids the next harness run gets (see studentUids). */
  private studentBlock = Math.floor(Math.random() * STUDENT_BLOCKS);

  constructor(private readonly settings: SandboxSettings = {}) {
    this.root = path.resolve(settings.root ?? process.env.ASSAY_SANDBOX_ROOT ?? path.join(os.tmpdir(), 'assay-sandbox'));
  }

  async status(): Promise<SandboxStatus> {
    try {
      const ready = await this.prepare();
      return {
        available: true,
        reason: null,
        bwrap: ready.bwrap,
        root: this.root,
        cgroupDriver: ready.driver.name,
        cgroupLocation: ready.driver.location || null,
        separation: ready.separation,
        notes: ready.notes,
      };
    } catch (err) {
      return { available: false, reason: (err as Error).message, bwrap: this.bwrapPath(), root: this.root, cgroupDriver: null, cgroupLocation: null, separation: null, notes: [] };
    }
  }

  async available(): Promise<boolean> {
    return (await this.status()).available;
  }

  async run(options: SandboxRunOptions): Promise<SandboxResult> {
    return this.execute(await this.prepare(), options);
  }

  private bwrapPath(): string | null {
    return this.settings.bwrapPath === undefined ? findExecutable('bwrap') : this.settings.bwrapPath;
  }

  /** Set up once; a failure is not remembered, so installing bwrap later needs no restart. */
  private prepare(): Promise<Ready> {
    if (!this.ready) {
      this.ready = this.init().catch((err: unknown) => {
        this.ready = null;
        throw err;
      });
    }
    return this.ready;
  }

  private async init(): Promise<Ready> {
    const bwrap = this.bwrapPath();
    if (!bwrap) throw unavailable('bubblewrap (bwrap) is not installed; nothing is ever run unsandboxed.');
    const prlimit = this.settings.prlimitPath ?? '/usr/bin/prlimit';
    const bash = this.settings.bashPath ?? '/bin/bash';
    if (!fs.existsSync(bash)) throw unavailable(`bash not found at ${bash}.`);
    const owner: Owner = process.getuid?.() === 0 ? { uid: this.settings.hostUid ?? 65534, gid: this.settings.hostGid ?? 65534 } : null;
    const created = fs.mkdirSync(this.root, { recursive: true, mode: 0o711 });
    if (created) fs.chmodSync(this.root, 0o711);
    const workDirs = await WorkDirs.open(this.root, owner, this.quota(), bash, this.settings.poolSize ?? 2);
    let etcDir: string;
    try {
      // The /etc copy on a tmpfs of its own, as run dirs are: no host path in a run's mountinfo.
      etcDir = await buildSandboxEtc(this.root, (dir) => workDirs.mountPrivate(dir, 16 * 1024 * 1024, 4096));
    } catch (err) {
      await workDirs.close();
      throw err;
    }
    const { driver, notes } = await detectCgroupDriver(this.settings.cgroups ?? 'auto', this.settings.cgroupName ?? 'assay-sandbox');
    if (!workDirs.limited) notes.push('work dirs have no quota on their total size and file count: that needs the server to run as root (a tmpfs per run)');
    if (driver.name === 'none' && (!prlimit.startsWith('/usr/') || !fs.existsSync(prlimit))) {
      await workDirs.close();
      throw unavailable(`without cgroups the process limit needs prlimit (util-linux) under /usr, not found at ${prlimit}.`);
    }
    let userns: SharedUserns | null;
    try {
      userns = await this.chooseSeparation(owner, driver.name, notes);
      if (userns) workDirs.useStudentAreas(STUDENT_AREAS_DIR, STUDENT_SLOTS, BROKER_DIR, { path: BROKER_PROGRAM, content: brokerProgram(nativePrograms()!) });
    } catch (err) {
      await workDirs.close();
      throw err;
    }
    const pool = new LauncherPool(
      {
        bash,
        driver,
        owner,
        initialLimits: { memoryBytes: DEFAULT_LIMITS.memoryBytes, processes: DEFAULT_LIMITS.processes + 2 },
        nextId: () => `${process.pid}-${threadId}-${++runSequence}`,
        ...(userns ? { usernsFd: userns.fd } : {}),
      },
      this.settings.poolSize ?? 2,
    );
    const ready: Ready = {
      bwrap,
      prlimit,
      system: systemArgs(etcDir, this.settings.readOnlyPaths ?? []),
      driver,
      notes,
      owner,
      pool,
      workDirs,
      separation: userns ? 'uid' : 'nested',
      userns,
    };
    // One real run proves the whole path (user namespaces allowed, root reachable by the sandbox uid…),
    // so a broken machine says why at start instead of failing every run.
    try {
      const probe = await this.execute(ready, { files: [], command: ['true'], limits: { wallMs: 10_000 } });
      await probe.cleanup();
      if (probe.exitCode !== 0) {
        throw unavailable(`bwrap does not work here (${probe.signal ?? `exit ${probe.exitCode}`}): ${probe.stderr.trim() || 'no message'}`);
      }
    } catch (err) {
      await pool.close();
      await workDirs.close();
      userns?.close();
      throw err;
    }
    this.pool = pool;
    this.userns = userns;
    this.workDirs = workDirs;
    workDirs.fill();
    this.watchdog = startWatchdog(bash, driver.bases);
    return ready;
  }

  /** Sets up (if not yet) and waits until the launcher and work dir pools are full: call at start, or before timing runs. */
  async warm(): Promise<void> {
    const ready = await this.prepare();
    await Promise.all([ready.pool.warm(), ready.workDirs.warm()]);
  }

  /** Stops the idle launchers (for a clean shutdown; a later run starts new ones). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    this.ready = null;
    this.watchdog?.stop();
    this.watchdog = null;
    const workDirs = this.workDirs;
    this.workDirs = null;
    await pool?.close();
    await workDirs?.close();
    this.userns?.close();
    this.userns = null;
  }

  /**
   * Separation by uid when asked (or, for `auto`, when it can be had): the server is root (to map
   * several uids), runs have a cgroup (process limits per run: in the shared namespace RLIMIT_NPROC
   * would count every run's processes of a uid), util-linux's unshare and nsenter are here, and the
   * broker and run_student are compiled (native.ts). Returns the shared user namespace, or null for nested.
   */
  private async chooseSeparation(owner: Owner, driver: CgroupDriverName, notes: string[]): Promise<SharedUserns | null> {
    const wanted = this.settings.separation ?? process.env.ASSAY_SANDBOX_SEPARATION ?? 'auto';
    if (wanted !== 'auto' && wanted !== 'uid' && wanted !== 'nested') {
      throw AssayError.field('separation', 'invalid', 'The sandbox separation is auto, uid or nested.');
    }
    if (wanted === 'nested') return null;
    const unshare = findExecutable('unshare');
    const nsenter = findExecutable('nsenter');
    const why = !owner
      ? 'the server is not root (mapping several uids needs root)'
      : driver === 'none'
        ? 'no cgroup driver (per-run process limits)'
        : !unshare || !nsenter
          ? 'util-linux unshare or nsenter is missing'
          : !nativePrograms()
            ? nativeUnavailable()
            : null;
    let failure = why;
    if (!failure) {
      const base = this.settings.studentHostUidBase ?? (Number(process.env.ASSAY_SANDBOX_STUDENT_UID_BASE) || DEFAULT_STUDENT_HOST_UID_BASE);
      try {
        return await createSharedUserns({ unshare: unshare!, nsenter: nsenter! }, owner!.uid, owner!.gid, base);
      } catch (err) {
        failure = (err as Error).message;
      }
    }
    if (wanted === 'uid') throw unavailable(`separation by uid is not possible here: ${failure}.`);
    notes.push(`run_student separates by a nested sandbox, not by uid: ${failure}`);
    return null;
  }

  /** The first student uid of the next harness run: blocks of STUDENT_SLOTS uids in turn. */
  private studentUids(): number {
    this.studentBlock = (this.studentBlock + 1) % STUDENT_BLOCKS;
    return FIRST_STUDENT_UID + this.studentBlock * STUDENT_SLOTS;
  }

  /** The work dir quota: settings, else the environment, else the default. */
  private quota(): WorkDirQuota {
    const fromEnv = (name: string) => {
      const value = Number(process.env[name]);
      return Number.isSafeInteger(value) && value > 0 ? value : undefined;
    };
    const bytes = this.settings.workDirQuota?.bytes ?? fromEnv('ASSAY_SANDBOX_WORK_BYTES') ?? DEFAULT_WORK_DIR_QUOTA.bytes;
    const files = this.settings.workDirQuota?.files ?? fromEnv('ASSAY_SANDBOX_WORK_FILES') ?? DEFAULT_WORK_DIR_QUOTA.files;
    if (!Number.isSafeInteger(bytes) || bytes < 1024 * 1024 || !Number.isSafeInteger(files) || files < 16) {
      throw AssayError.field('workDirQuota', 'invalid', 'The work dir quota needs at least 1 MiB and 16 files.');
    }
    return { bytes, files };
  }

  private async execute(ready: Ready, options: SandboxRunOptions): Promise<SandboxResult> {
    const limits = resolveLimits(options.limits, this.settings.defaultLimits);
    const command = options.command as unknown;
    if (!Array.isArray(command) || command.length === 0 || command.some((a) => typeof a !== 'string' || a.includes('\0'))) {
      throw AssayError.field('command', 'invalid', 'command must be a non-empty list of strings without NUL.');
    }
    environmentArgs(options.env);
    const files = normalizeFiles(options.files);
    const { workDirs } = ready;
    const workDir = await workDirs.create(files);
    const broker = ready.userns && options.nested === true;
    const firstStudentUid = this.studentUids();
    let launcher: Launcher | undefined;
    try {
      if (broker) prepareStudentAreas(workDir, files, ready.userns!.hostBase + firstStudentUid);
      launcher = await ready.pool.take();
      // +2: the launcher (bwrap's monitor once it execs) and bwrap's init are in the cgroup too.
      launcher.cgroup.setLimits({ memoryBytes: limits.memoryBytes, processes: limits.processes + 2 });
    } catch (err) {
      await workDirs.remove(workDir);
      launcher?.child.kill('SIGKILL');
      throw unavailable(`cannot prepare the run: ${(err as Error).message}`);
    }
    const { cgroup } = launcher;
    let outcome: Outcome;
    let stats: CgroupStats;
    try {
      outcome = await this.launch(ready, launcher, workDir, limits, options, firstStudentUid);
      stats = cgroup.stats();
    } catch (err) {
      await workDirs.remove(workDir);
      throw err;
    } finally {
      // Nothing is left running (killAll ran at exit); removing the cgroup happens behind the
      // result, and so does starting a launcher if the one started during the run failed.
      setImmediate(() => {
        void cgroup.destroy().catch(() => undefined);
        ready.pool.fill();
      });
    }
    return buildResult(outcome, stats, limits, ready.driver.name, workDir, workDirs);
  }

  private launch(ready: Ready, launcher: Launcher, workDir: string, limits: SandboxLimits, options: SandboxRunOptions, firstStudentUid: number): Promise<Outcome> {
    const { options: bwrapOptions, command } = bwrapArgs({
      system: ready.system,
      workDir,
      limits,
      command: options.command,
      env: options.env,
      nprocInside: ready.driver.name === 'none' ? { prlimit: ready.prlimit } : null,
      nested: options.nested === true,
      ...(ready.userns
        ? { userns: { fd: 4, broker: options.nested === true ? { firstStudentUid } : null } }
        : {}),
    });
    const argv = [ready.bwrap, '--args', '3', '--', ...command];
    const payload = launcherPayload(limits, addressSpaceFor(limits, ready.driver.name), argv, bwrapOptions);
    const { child, control, cgroup } = launcher;

    return new Promise<Outcome>((resolve, reject) => {
      const stdout = new HeadTailCapture(limits.outputBytes);
      const stderr = new HeadTailCapture(limits.outputBytes);
      let settled = false;
      let launched = false;
      let timedOut = false;
      let exit: { code: number | null; signal: NodeJS.Signals | null; at: number } | null = null;
      let closeGuard: NodeJS.Timeout | undefined;

      const killRun = () => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
        cgroup.killAll();
      };
      const started = performance.now();
      const timer = setTimeout(() => {
        timedOut = true;
        killRun();
      }, limits.wallMs);

      child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
      control.on('data', () => {
        launched = true;
      });
      child.on('exit', (code, signal) => {
        exit = { code, signal, at: performance.now() };
        clearTimeout(timer);
        // The run ends with its main process: nothing it left behind may go on (bwrap's init took the
        // pid namespace down with it; the cgroup catches anything else) before its files are read.
        cgroup.killAll();
        closeGuard = setTimeout(() => {
          for (const stream of child.stdio) stream?.destroy();
        }, 2000);
      });
      child.on('close', () => {
        clearTimeout(closeGuard);
        if (settled) return;
        settled = true;
        const end = exit ?? { code: null, signal: null, at: performance.now() };
        if (!launched && !timedOut) {
          return reject(unavailable(`the launcher failed (${end.signal ?? `exit ${end.code}`}): ${stderr.text().trim() || 'no message'}`));
        }
        resolve({ code: end.code, signal: end.signal, timedOut, wallMs: end.at - started, stdout, stderr });
      });
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(options.stdin);
      control.end(payload);
      // The next launcher starts now, while this run's processes start up and the event loop has
      // nothing to do but wait for them: spawning blocks the loop for a few ms, which after the
      // run would delay its result and the worker's next job.
      setImmediate(() => ready.pool.fill());
    });
  }
}

/** Student uids start above the namespace's low uids; each harness run has a block of STUDENT_SLOTS. */
const FIRST_STUDENT_UID = 1000;
const STUDENT_BLOCKS = Math.floor((STUDENT_UIDS - FIRST_STUDENT_UID) / STUDENT_SLOTS);

/**
 * The student areas (/student/N; work-dirs.ts made them, 0700) given each to its student uid (host
 * uid `firstStudent` + N), the first one filled with the submission, as that uid's, so that the first
 * run_student starts at once (the broker fills the others when first used). Synchronous: a few small
 * files, and each await would cost the run a trip through libuv's pool.
 */
function prepareStudentAreas(workDir: string, files: SandboxFile[], firstStudent: number): void {
  const areas = path.join(workDir, STUDENT_AREAS_DIR);
  for (let slot = 0; slot < STUDENT_SLOTS; slot++) fs.chownSync(path.join(areas, String(slot)), firstStudent + slot, firstStudent + slot);
  const prefix = `${SUBMISSION_DIR}/`;
  const area = path.join(areas, '0');
  for (const file of files) {
    if (!file.path.startsWith(prefix)) continue;
    const target = path.join(area, file.path.slice(prefix.length));
    for (let d = path.dirname(target); d !== area && !fs.existsSync(d); d = path.dirname(d)) {
      fs.mkdirSync(d, { recursive: true, mode: 0o755 });
      for (let made = d; made !== area; made = path.dirname(made)) fs.chownSync(made, firstStudent, firstStudent);
    }
    if ('sourceFile' in file) fs.copyFileSync(file.sourceFile, target, fs.constants.COPYFILE_EXCL);
    else fs.writeFileSync(target, file.content, { flag: 'wx' });
    fs.chmodSync(target, (file.mode ?? 0o644) & 0o777);
    fs.chownSync(target, firstStudent, firstStudent);
  }
}

function buildResult(outcome: Outcome, stats: CgroupStats, limits: SandboxLimits, driver: CgroupDriverName, workDir: string, workDirs: WorkDirs): SandboxResult {
  let exitCode = outcome.code;
  let signal = outcome.signal;
  if (outcome.timedOut) {
    exitCode = null;
    signal = 'SIGKILL';
  } else if (signal === null && exitCode !== null && exitCode > 128 && exitCode <= 128 + 64) {
    // bwrap passes on "killed by signal N" as exit code 128+N, the shell convention.
    const name = SIGNAL_NAMES.get(exitCode - 128);
    if (name) {
      signal = name;
      exitCode = null;
    }
  } else if (signal !== null) {
    exitCode = null;
  }
  const cpuTimeExceeded =
    signal === 'SIGXCPU' || (!outcome.timedOut && signal === 'SIGKILL' && stats.cpuMs !== null && stats.cpuMs >= limits.cpuSeconds * 1000);
  let removed: Promise<void> | null = null;
  return {
    exitCode,
    signal,
    timedOut: outcome.timedOut,
    cpuTimeExceeded,
    memoryExceeded: stats.oomKills > 0,
    processLimitReached: stats.processLimitHits > 0,
    fileSizeExceeded: signal === 'SIGXFSZ',
    workDirQuotaExceeded: workDirs.full(workDir),
    outputTruncated: outcome.stdout.truncated || outcome.stderr.truncated,
    wallMs: Math.round(outcome.wallMs * 1000) / 1000,
    stdout: outcome.stdout.text(),
    stderr: outcome.stderr.text(),
    stdoutBytes: outcome.stdout.bytesWritten,
    stderrBytes: outcome.stderr.bytesWritten,
    cpuMs: stats.cpuMs,
    memoryPeakBytes: stats.memoryPeakBytes,
    cgroupDriver: driver,
    workDir,
    readFile: (relativePath, maxBytes) => readWorkFile(workDir, relativePath, maxBytes),
    cleanup: () => (removed ??= workDirs.remove(workDir)),
  };
}
