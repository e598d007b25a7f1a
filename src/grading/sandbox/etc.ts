import fs from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { SANDBOX_HOSTNAME } from './constants.ts';
import { isAlive } from './alive.ts';

/**
 * What of the host's /etc a run sees: what the dynamic loader, libc's name lookups, Debian's
 * alternatives and the usual language runtimes read. passwd, group and hosts are our own, so no host
 * account or host name leaks in. Everything else of /etc stays hidden.
 */
const ETC_ALLOWED: (string | RegExp)[] = [
  'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'nsswitch.conf', 'localtime', 'timezone',
  'mime.types', 'magic', 'inputrc', 'bash.bashrc', 'profile',
  /^python3(\.\d+)?$/, /^java-\d+/, /^perl$/, /^R$/, /^gcc$/,
];

/**
 * Bound read-only into the copy at each run instead of copied: Debian's alternatives are hundreds of
 * symlinks (slow to copy on some disks) that every `awk`, `java`… goes through.
 */
export const ETC_BOUND = ['alternatives'];

export const SANDBOX_ETC_FILES: Record<string, string> = {
  passwd: 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/work:/usr/sbin/nologin\n',
  group: 'root:x:0:\nnogroup:x:65534:\n',
  hosts: `127.0.0.1\tlocalhost ${SANDBOX_HOSTNAME}\n::1\tlocalhost ip6-localhost ip6-loopback\n`,
};

/**
 * Builds the sandbox's /etc once per process and thread as a copy (one bind mount per run instead of
 * one per entry: each mount costs bwrap time). Only what any user may read on the host is copied,
 * symlinks stay symlinks; ETC_BOUND entries get an empty mount point. No network, so no TLS
 * certificates. Copies of processes that are gone are removed. Each thread (each instance) has its own copy (the
 * server's and its grading thread's sandboxes start independently): rebuilding a copy under the runs
 * of another thread would pull their /etc away.
 */
/** Each Sandbox instance has its own copy: two instances of one thread may share a root. */
let instances = 0;

/**
 * `mount` (when given) makes the empty directory it is passed a file system of its own (a tmpfs when
 * root), so that the bind shows as `/` of it in the run's mountinfo instead of as a host path.
 */
export async function buildSandboxEtc(root: string, mount?: (dir: string) => Promise<boolean>): Promise<string> {
  for (const name of fs.readdirSync(root)) {
    const match = /^\.etc-(\d+)(?:-\d+)*$/.exec(name);
    if (match && Number(match[1]) !== process.pid && !isAlive(Number(match[1]))) {
      fs.rmSync(path.join(root, name), { recursive: true, force: true });
    }
  }
  const dir = path.join(root, `.etc-${process.pid}-${threadId}-${++instances}`);
  fs.rmSync(dir, { recursive: true, force: true });
  if (!(await mount?.(dir))) fs.mkdirSync(dir, { mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  for (const name of fs.readdirSync('/etc')) {
    if (name in SANDBOX_ETC_FILES) continue;
    if (ETC_ALLOWED.some((rule) => (typeof rule === 'string' ? rule === name : rule.test(name)))) {
      copyPublic(path.join('/etc', name), path.join(dir, name));
    }
  }
  for (const name of ETC_BOUND) if (fs.existsSync(path.join('/etc', name))) fs.mkdirSync(path.join(dir, name), { mode: 0o755 });
  for (const [name, content] of Object.entries(SANDBOX_ETC_FILES)) fs.writeFileSync(path.join(dir, name), content, { mode: 0o644 });
  return dir;
}

function copyPublic(from: string, to: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(from);
  } catch {
    return;
  }
  if (stat.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(from), to);
  } else if (stat.isDirectory()) {
    if ((stat.mode & 0o005) !== 0o005) return;
    fs.mkdirSync(to, { mode: 0o755 });
    fs.chmodSync(to, stat.mode & 0o755);
    for (const name of fs.readdirSync(from)) copyPublic(path.join(from, name), path.join(to, name));
  } else if (stat.isFile()) {
    if ((stat.mode & 0o004) === 0) return;
    fs.copyFileSync(from, to);
    fs.chmodSync(to, stat.mode & 0o755);
  }
}
