import { compact } from '../../core/compact.ts';
import { AssayError } from '../../core/errors.ts';
import type { FieldProblem } from '../../core/errors.ts';
import { DEFAULT_LIMITS } from './types.ts';
import type { CgroupDriverName, SandboxLimits } from './types.ts';

/**
 * How each limit is enforced:
 * - wallMs: a host timer; on expiry the bwrap process group and every process of the run's cgroup are
 *   SIGKILLed (bwrap's --die-with-parent and the pid namespace take the rest down with them).
 * - cpuSeconds: RLIMIT_CPU per process, soft (SIGXCPU) at the limit, hard (SIGKILL) a second later.
 * - All rlimits but NPROC are set by the launcher (`ulimit`, launcher.ts) right before it execs bwrap.
 * - memoryBytes: cgroup memory limit of the whole run (v1 memory.limit_in_bytes + memsw, v2 memory.max
 *   + swap.max 0); RLIMIT_AS = memoryBytes per process when there is no cgroup.
 * - addressSpaceBytes: RLIMIT_AS, off by default with a cgroup (the JVM, Go, Node reserve far more
 *   address space than they use and fail to start under it; the cgroup limits what is really used).
 * - processes: cgroup pids.max (processes and threads of the whole run). Without a cgroup, RLIMIT_NPROC
 *   set inside the run's user namespace (prlimit), so it counts this run's processes only.
 * - outputBytes: the host keeps head and tail of each stream (HeadTailCapture).
 * - fileSizeBytes: RLIMIT_FSIZE per file (rounded up to KiB); also the size of the run's /tmp tmpfs.
 * - openFiles: RLIMIT_NOFILE.
 */
export function resolveLimits(given: Partial<SandboxLimits> | undefined, defaults: Partial<SandboxLimits> = {}): SandboxLimits {
  const limits: SandboxLimits = { ...DEFAULT_LIMITS, ...compact(defaults), ...compact(given ?? {}) };
  const problems: FieldProblem[] = [];
  const positive = (name: keyof SandboxLimits, min = 1) => {
    const value = limits[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      problems.push({ field: `limits.${name}`, code: 'invalid', message: `${name} must be a whole number of at least ${min}.` });
    }
  };
  positive('wallMs');
  positive('cpuSeconds');
  positive('memoryBytes', 16 * 1024 * 1024);
  positive('processes');
  positive('outputBytes', 0);
  positive('fileSizeBytes');
  positive('openFiles', 16);
  if (limits.addressSpaceBytes !== null) positive('addressSpaceBytes', 0);
  if (problems.length > 0) throw AssayError.invalid(problems);
  return limits;
}

/** RLIMIT_AS for a run: see SandboxLimits.addressSpaceBytes (0 = not set). */
export function addressSpaceFor(limits: SandboxLimits, driver: CgroupDriverName): number {
  if (limits.addressSpaceBytes !== null) return limits.addressSpaceBytes;
  return driver === 'none' ? limits.memoryBytes : 0;
}
