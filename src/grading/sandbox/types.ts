/** What one sandboxed run may use. Every field is a hard limit; see limits.ts for how each is enforced. */
export interface SandboxLimits {
  /** Wall-clock time from start to the main process's exit; the whole sandbox is killed when it runs out. */
  wallMs: number;
  /** CPU seconds per process (RLIMIT_CPU: SIGXCPU at the limit, SIGKILL one second later). */
  cpuSeconds: number;
  /** Memory of the whole run (cgroup memory + swap); RLIMIT_AS only when no cgroup driver is usable. */
  memoryBytes: number;
  /**
   * Virtual address space per process (RLIMIT_AS). `null` means the default: not set with a cgroup
   * driver (the JVM, Go, Node reserve far more address space than they use and would not start; the
   * cgroup bounds what is used), memoryBytes without one. 0 turns it off.
   */
  addressSpaceBytes: number | null;
  /** Processes (and threads) alive at once, the main process included. */
  processes: number;
  /** Bytes kept of stdout and of stderr, each (head and tail; the middle is dropped). */
  outputBytes: number;
  /** Largest file a process may write (RLIMIT_FSIZE, rounded up to KiB); also the size of the sandbox's /tmp. */
  fileSizeBytes: number;
  /** Open file descriptors per process (RLIMIT_NOFILE). */
  openFiles: number;
}

export const DEFAULT_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  wallMs: 60_000,
  cpuSeconds: 30,
  memoryBytes: 512 * 1024 * 1024,
  addressSpaceBytes: null,
  processes: 128,
  outputBytes: 1024 * 1024,
  fileSizeBytes: 64 * 1024 * 1024,
  openFiles: 256,
});

/** One file placed in the work directory before the run: inline content or a copy of a host file. */
export type SandboxFile =
  | { path: string; content: string | Buffer; mode?: number }
  | { path: string; sourceFile: string; mode?: number };

export interface SandboxRunOptions {
  /** Paths relative to /work. A Map is path -> content. */
  files: SandboxFile[] | Map<string, string | Buffer>;
  /** argv of the main process, run in /work with PATH lookup (e.g. ['python3', 'grade.py']). */
  command: string[];
  limits?: Partial<SandboxLimits>;
  /** Extra environment variables (added to PATH, HOME=/work and LANG=C.UTF-8). */
  env?: Record<string, string>;
  /** Bytes fed to the main process's stdin (default: none, stdin is /dev/null). */
  stdin?: string | Buffer;
  /**
   * The run may create user namespaces, as `run_student` needs (a grading harness). The code the
   * harness runs through `run_student` still cannot (--disable-userns in its own sandbox).
   */
  nested?: boolean;
}

export type CgroupDriverName = 'v1' | 'v2' | 'none';

export interface SandboxResult {
  /** Exit code of the main process; null when it died from a signal or was killed. */
  exitCode: number | null;
  /** The signal that ended the main process (SIGKILL when the wall limit killed it). */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Where detectable: killed by RLIMIT_CPU (SIGXCPU, or SIGKILL once the cgroup saw that much CPU). */
  cpuTimeExceeded: boolean;
  /** Where detectable (needs a cgroup driver): the kernel's OOM killer fired inside the run. */
  memoryExceeded: boolean;
  /** Where detectable (needs a cgroup driver): a fork failed because the process limit was reached. */
  processLimitReached: boolean;
  /** Where detectable: the main process died from SIGXFSZ (programs that ignore it get EFBIG instead). */
  fileSizeExceeded: boolean;
  /**
   * The run filled its work dir: its files reached the work dir quota (total bytes or file count;
   * see SandboxSettings.workDirQuota). Writes past it failed with ENOSPC. Only detected with a quota.
   */
  workDirQuotaExceeded: boolean;
  /** stdout or stderr went over the output limit (its middle was dropped). */
  outputTruncated: boolean;
  wallMs: number;
  stdout: string;
  stderr: string;
  /** Bytes the process wrote to each stream, including the dropped part. */
  stdoutBytes: number;
  stderrBytes: number;
  /** CPU time of the whole run (ms) and peak memory (bytes), when the cgroup driver measures them. */
  cpuMs: number | null;
  memoryPeakBytes: number | null;
  cgroupDriver: CgroupDriverName;
  /** Host path of /work. Nothing runs in it any more when the result is returned. */
  workDir: string;
  /**
   * Reads a file the run left in /work, safely: symlinks are not followed, only regular files are
   * read, and at most maxBytes (default 16 MiB; larger files throw `too_large`). Null when missing.
   */
  readFile(relativePath: string, maxBytes?: number): Promise<Buffer | null>;
  /** Removes the work directory. Idempotent. */
  cleanup(): Promise<void>;
}
