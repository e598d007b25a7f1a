import fs from 'node:fs';
import path from 'node:path';
import type { CgroupDriver, CgroupLimits, CgroupStats, RunCgroup } from './cgroups.ts';
import {
  cgroupDir, cgroupMounts, exists, killListed, ownCgroups, pidsIn, readKey, readNumber, readText, removeCgroupDir, removeStaleRunGroups, writeValue, writeValueAsync,
} from './cgroup-files.ts';

const NEEDED = ['memory', 'pids'];

/**
 * The cgroup v2 driver, or why it cannot be used. Run cgroups live in `<own cgroup>/<groupName>/`.
 * v2 forbids enabling controllers for children of a cgroup that holds processes ("no internal
 * processes"), so when our own cgroup holds processes they are moved into a `<groupName>-host` leaf
 * first: the usual arrangement under systemd's Delegate=yes or inside a container.
 */
export function detectV2(groupName: string): CgroupDriver | string {
  const own = ownCgroups().get('');
  const mount = cgroupMounts().find((m) => m.version === 2);
  if (own === undefined || !mount) return 'v2: no unified cgroup hierarchy';
  const dir = cgroupDir(mount, own);
  if (dir === null) return 'v2: own cgroup is outside the mounted hierarchy';
  const available = (readText(path.join(dir, 'cgroup.controllers')) ?? '').trim().split(/\s+/);
  const missing = NEEDED.filter((c) => !available.includes(c));
  if (missing.length > 0) return `v2: controllers ${missing.join(', ')} not available in ${dir}`;
  const base = path.join(dir, groupName);
  try {
    enableControllers(dir, path.join(dir, `${groupName}-host`));
    fs.mkdirSync(base, { recursive: true });
    enableControllers(base, null);
  } catch (err) {
    return `v2: cannot delegate controllers under ${dir}: ${(err as Error).message}`;
  }
  removeStaleRunGroups(base);
  return new V2Driver(base);
}

function enableControllers(dir: string, hostLeaf: string | null): void {
  const control = path.join(dir, 'cgroup.subtree_control');
  const enabled = (readText(control) ?? '').trim().split(/\s+/);
  const wanted = NEEDED.filter((c) => !enabled.includes(c));
  if (wanted.length === 0) return;
  const value = wanted.map((c) => `+${c}`).join(' ');
  try {
    writeValue(control, value);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EBUSY' || hostLeaf === null) throw err;
    fs.mkdirSync(hostLeaf, { recursive: true });
    for (const pid of pidsIn(path.join(dir, 'cgroup.procs'))) {
      try {
        writeValue(path.join(hostLeaf, 'cgroup.procs'), pid);
      } catch {
        /* exited, or a kernel thread that cannot move */
      }
    }
    writeValue(control, value);
  }
}

class V2Driver implements CgroupDriver {
  readonly name = 'v2' as const;

  readonly bases: readonly string[];

  constructor(readonly location: string) {
    this.bases = [location];
  }

  create(id: string, limits: CgroupLimits): RunCgroup {
    const dir = path.join(this.location, id);
    fs.mkdirSync(dir);
    const group = new V2RunCgroup(dir);
    try {
      const swap = path.join(dir, 'memory.swap.max');
      if (exists(swap)) writeValue(swap, 0);
      group.setLimits(limits);
    } catch (err) {
      fs.rmdirSync(dir);
      throw err;
    }
    return group;
  }
}

class V2RunCgroup implements RunCgroup {
  private cpuBaselineUsec = 0;

  constructor(private readonly dir: string) {}

  async attach(pid: number): Promise<void> {
    await writeValueAsync(path.join(this.dir, 'cgroup.procs'), pid);
  }

  setLimits(limits: CgroupLimits): void {
    writeValue(path.join(this.dir, 'memory.max'), limits.memoryBytes);
    writeValue(path.join(this.dir, 'pids.max'), limits.processes);
    this.cpuBaselineUsec = readKey(path.join(this.dir, 'cpu.stat'), 'usage_usec') ?? 0;
  }

  killAll(): void {
    const kill = path.join(this.dir, 'cgroup.kill');
    if (exists(kill)) {
      try {
        writeValue(kill, 1);
        return;
      } catch {
        /* fall back to killing one by one */
      }
    }
    killListed(path.join(this.dir, 'cgroup.procs'));
  }

  stats(): CgroupStats {
    const usec = readKey(path.join(this.dir, 'cpu.stat'), 'usage_usec');
    return {
      oomKills: readKey(path.join(this.dir, 'memory.events'), 'oom_kill') ?? 0,
      processLimitHits: readKey(path.join(this.dir, 'pids.events'), 'max') ?? 0,
      memoryPeakBytes: readNumber(path.join(this.dir, 'memory.peak')),
      cpuMs: usec === null ? null : (usec - this.cpuBaselineUsec) / 1000,
    };
  }

  async destroy(): Promise<void> {
    this.killAll();
    await removeCgroupDir(this.dir);
  }
}
