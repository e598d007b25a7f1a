import fs from 'node:fs';
import path from 'node:path';
import type { CgroupDriver, CgroupLimits, CgroupStats, RunCgroup } from './cgroups.ts';
import {
  cgroupDir, cgroupMounts, exists, killListed, ownCgroups, readKey, readNumber, removeCgroupDir, removeStaleRunGroups, writeValue, writeValueAsync,
} from './cgroup-files.ts';

/** Per-controller base directories of the legacy hierarchy: memory and pids required, cpuacct for CPU stats. */
interface V1Dirs {
  memory: string;
  pids: string;
  cpuacct: string | null;
}

/** The cgroup v1 driver, or why it cannot be used. Run cgroups nest under this process's own cgroups. */
export function detectV1(groupName: string): CgroupDriver | string {
  const mounts = cgroupMounts().filter((m) => m.version === 1);
  const own = ownCgroups();
  const baseFor = (controller: string): string | null => {
    const mount = mounts.find((m) => m.controllers.includes(controller));
    if (!mount) return null;
    const dir = cgroupDir(mount, own.get(controller) ?? '/');
    return dir === null ? null : path.join(dir, groupName);
  };
  const memory = baseFor('memory');
  const pids = baseFor('pids');
  if (!memory || !pids) return 'v1: the memory and pids controllers are not both mounted';
  const bases: V1Dirs = { memory, pids, cpuacct: baseFor('cpuacct') };
  try {
    for (const dir of new Set([bases.memory, bases.pids])) fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    return `v1: cannot create ${bases.memory} / ${bases.pids}: ${(err as Error).message}`;
  }
  if (bases.cpuacct) {
    try {
      fs.mkdirSync(bases.cpuacct, { recursive: true });
    } catch {
      bases.cpuacct = null;
    }
  }
  for (const dir of new Set([bases.memory, bases.pids, bases.cpuacct])) if (dir) removeStaleRunGroups(dir);
  return new V1Driver(bases);
}

class V1Driver implements CgroupDriver {
  readonly name = 'v1' as const;
  readonly location: string;
  readonly bases: readonly string[];

  constructor(private readonly dirs: V1Dirs) {
    this.location = [dirs.memory, dirs.pids].join(' ');
    this.bases = [...new Set([dirs.memory, dirs.pids])];
  }

  create(id: string, limits: CgroupLimits): RunCgroup {
    const dirs: V1Dirs = {
      memory: path.join(this.dirs.memory, id),
      pids: path.join(this.dirs.pids, id),
      cpuacct: this.dirs.cpuacct ? path.join(this.dirs.cpuacct, id) : null,
    };
    const unique = [...new Set([dirs.memory, dirs.pids, dirs.cpuacct])].filter((d): d is string => d !== null);
    const group = new V1RunCgroup(dirs, unique);
    try {
      for (const dir of unique) fs.mkdirSync(dir);
      group.setLimits(limits);
    } catch (err) {
      for (const dir of unique) {
        try {
          fs.rmdirSync(dir);
        } catch {
          /* not created */
        }
      }
      throw err;
    }
    return group;
  }
}

class V1RunCgroup implements RunCgroup {
  private cpuBaseline = 0;

  constructor(
    private readonly dirs: V1Dirs,
    private readonly unique: string[],
  ) {}

  async attach(pid: number): Promise<void> {
    for (const dir of this.unique) await writeValueAsync(path.join(dir, 'cgroup.procs'), pid);
  }

  setLimits(limits: CgroupLimits): void {
    // memsw (memory + swap) must never be below the memory limit: lower memory first, raise memsw first.
    const memory = path.join(this.dirs.memory, 'memory.limit_in_bytes');
    const memsw = path.join(this.dirs.memory, 'memory.memsw.limit_in_bytes');
    const order = (readNumber(memory) ?? Infinity) > limits.memoryBytes ? [memory, memsw] : [memsw, memory];
    for (const file of order) if (file === memory || exists(memsw)) writeValue(file, limits.memoryBytes);
    writeValue(path.join(this.dirs.pids, 'pids.max'), limits.processes);
    writeValue(path.join(this.dirs.memory, 'memory.max_usage_in_bytes'), 0);
    this.cpuBaseline = this.cpuNs() ?? 0;
  }

  killAll(): void {
    killListed(path.join(this.dirs.pids, 'cgroup.procs'));
    if (this.dirs.memory !== this.dirs.pids) killListed(path.join(this.dirs.memory, 'cgroup.procs'));
  }

  private cpuNs(): number | null {
    return this.dirs.cpuacct ? readNumber(path.join(this.dirs.cpuacct, 'cpuacct.usage')) : null;
  }

  stats(): CgroupStats {
    const usage = this.cpuNs();
    return {
      oomKills: readKey(path.join(this.dirs.memory, 'memory.oom_control'), 'oom_kill') ?? 0,
      processLimitHits: readKey(path.join(this.dirs.pids, 'pids.events'), 'max') ?? 0,
      memoryPeakBytes: readNumber(path.join(this.dirs.memory, 'memory.max_usage_in_bytes')),
      cpuMs: usage === null ? null : (usage - this.cpuBaseline) / 1e6,
    };
  }

  async destroy(): Promise<void> {
    this.killAll();
    for (const dir of this.unique) await removeCgroupDir(dir);
  }
}
