import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { isAlive } from './alive.ts';

/** Small synchronous helpers for cgroupfs: every access is one short syscall, so sync is cheaper than a promise. */

export function writeValue(file: string, value: string | number): void {
  fs.writeFileSync(file, String(value));
}

export async function writeValueAsync(file: string, value: string | number): Promise<void> {
  await fsp.writeFile(file, String(value));
}

export function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export function readNumber(file: string): number | null {
  const text = readText(file);
  if (text === null) return null;
  const value = Number(text.trim());
  return Number.isFinite(value) ? value : null;
}

/** A value from a flat keyed file such as memory.events (`oom_kill 3`). */
export function readKey(file: string, key: string): number | null {
  const text = readText(file);
  if (text === null) return null;
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k === key && v !== undefined) return Number(v);
  }
  return null;
}

export function pidsIn(procsFile: string): number[] {
  const text = readText(procsFile);
  if (!text) return [];
  return text.split('\n').filter((l) => l.length > 0).map(Number).filter((n) => Number.isInteger(n) && n > 0);
}

/** SIGKILLs what is listed until the list is empty (new forks can race one round; the pids limit bounds them). */
export function killListed(procsFile: string, rounds = 20): void {
  for (let i = 0; i < rounds; i++) {
    const pids = pidsIn(procsFile);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}

export function exists(file: string): boolean {
  try {
    fs.accessSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * rmdir, retried briefly: a cgroup stays busy until the kernel has released its last exited task.
 * Asynchronous, unlike the other helpers: removing a v1 cgroup waits for an RCU grace period
 * (milliseconds), which would stall the event loop behind every run.
 */
export async function removeCgroupDir(dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fsp.rmdir(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (attempt >= 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** The calling process's cgroup paths, by controller ('' for the v2 unified hierarchy). */
export function ownCgroups(): Map<string, string> {
  const result = new Map<string, string>();
  for (const line of (readText('/proc/self/cgroup') ?? '').split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    for (const controller of match[1]!.split(',')) result.set(controller, match[2]!);
  }
  return result;
}

export interface CgroupMount {
  /** Where it is mounted, and which cgroup path is its root (not `/` inside containers). */
  mountPoint: string;
  root: string;
  version: 1 | 2;
  controllers: string[];
}

/** Mounted cgroup hierarchies from /proc/self/mountinfo. */
export function cgroupMounts(): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of (readText('/proc/self/mountinfo') ?? '').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const fields = left.split(' ');
    const [fsType, , superOptions] = right.split(' ');
    const root = unescapeMount(fields[3] ?? '/');
    const mountPoint = unescapeMount(fields[4] ?? '');
    if (fsType === 'cgroup2') mounts.push({ mountPoint, root, version: 2, controllers: [] });
    if (fsType === 'cgroup') {
      const options = (superOptions ?? '').split(',');
      const controllers = options.filter((o) => !['rw', 'ro'].includes(o) && !o.includes('=') && /^[a-z_]+$/.test(o));
      mounts.push({ mountPoint, root, version: 1, controllers });
    }
  }
  return mounts;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The directory of cgroup `cgroupPath` in a hierarchy mounted at `mount`, or null if it is outside that mount. */
export function cgroupDir(mount: CgroupMount, cgroupPath: string): string | null {
  const root = mount.root === '/' ? '' : mount.root;
  if (root && cgroupPath !== root && !cgroupPath.startsWith(`${root}/`)) return null;
  return mount.mountPoint + cgroupPath.slice(root.length);
}

/** Removes run cgroups a crashed process left behind (named `<pid>-…` or `probe-<pid>-…`, that pid gone). */
export function removeStaleRunGroups(base: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(base);
  } catch {
    return;
  }
  for (const name of entries) {
    const match = /^(?:probe-)?(\d+)-/.exec(name);
    if (!match || isAlive(Number(match[1]))) continue;
    try {
      fs.rmdirSync(`${base}/${name}`);
    } catch {
      /* still busy or not a cgroup: leave it */
    }
  }
}
