import { threadId } from 'node:worker_threads';
import type { CgroupDriverName } from './types.ts';
import { detectV1 } from './cgroup-v1.ts';
import { detectV2 } from './cgroup-v2.ts';

/**
 * A cgroup for one run. It is the real memory and process limit: RLIMIT_NPROC counts the processes of a
 * uid (per user namespace on recent kernels, machine-wide on old ones), so only the cgroup's pids limit
 * bounds one run's processes exactly, and only the cgroup sees the memory of all its processes together.
 */
export interface RunCgroup {
  /**
   * Moves a process (with all its threads) into the cgroup; its later children are born there.
   * Async on purpose: a move waits for an RCU grace period in the kernel (milliseconds), so it is done
   * ahead of time (see launcher.ts) and never blocks the event loop.
   */
  attach(pid: number): Promise<void>;
  /** Sets the limits for the next run and starts its counters afresh. */
  setLimits(limits: CgroupLimits): void;
  /** SIGKILLs every process still in the cgroup. */
  killAll(): void;
  stats(): CgroupStats;
  /** Kills what is left and removes the cgroup. */
  destroy(): Promise<void>;
}

export interface CgroupLimits {
  memoryBytes: number;
  /** pids.max: processes and threads. */
  processes: number;
}

export interface CgroupStats {
  oomKills: number;
  processLimitHits: number;
  memoryPeakBytes: number | null;
  cpuMs: number | null;
}

export interface CgroupDriver {
  readonly name: CgroupDriverName;
  /** Where the run cgroups are created (empty for `none`). */
  readonly location: string;
  /** The directories the run cgroups are created in (one per hierarchy; empty for `none`). */
  readonly bases: readonly string[];
  /** A new cgroup with these limits; `id` must be unique among live runs. */
  create(id: string, limits: CgroupLimits): RunCgroup;
}

export type CgroupPreference = 'auto' | CgroupDriverName;

/** No cgroups: rlimits only. Nothing bounds the run's memory or processes as a whole. */
export const noneDriver: CgroupDriver = {
  name: 'none',
  location: '',
  bases: [],
  create: () => ({
    attach: async () => undefined,
    setLimits: () => undefined,
    killAll: () => undefined,
    stats: () => ({ oomKills: 0, processLimitHits: 0, memoryPeakBytes: null, cpuMs: null }),
    destroy: async () => undefined,
  }),
};

export interface DetectedDriver {
  driver: CgroupDriver;
  /** Why a better driver was not used (for the health report and the log). */
  notes: string[];
}

/**
 * Picks the cgroup driver at start: a pure v2 hierarchy with the memory and pids controllers, else
 * v1 memory + pids hierarchies we may write to, else none. Each candidate is proven by creating and
 * removing a probe cgroup, so a read-only or undelegated cgroupfs falls through instead of failing runs.
 */
export async function detectCgroupDriver(preference: CgroupPreference = 'auto', groupName = 'assay-sandbox'): Promise<DetectedDriver> {
  const notes: string[] = [];
  if (preference === 'none') return { driver: noneDriver, notes: ['cgroups disabled by configuration'] };
  const candidates = preference === 'auto' ? [detectV2, detectV1] : preference === 'v2' ? [detectV2] : [detectV1];
  for (const detect of candidates) {
    const found = detect(groupName);
    if (typeof found === 'string') {
      notes.push(found);
      continue;
    }
    try {
      const probe = found.create(`probe-${process.pid}-${threadId}-${Date.now()}`, { memoryBytes: 64 * 1024 * 1024, processes: 8 });
      await probe.destroy();
      return { driver: found, notes };
    } catch (err) {
      notes.push(`${found.name}: probe cgroup failed: ${(err as Error).message}`);
    }
  }
  return { driver: noneDriver, notes };
}
