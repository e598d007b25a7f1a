import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { SANDBOX_UID } from './constants.ts';

/**
 * The user namespace that every run of one Sandbox joins (bwrap --userns) when separation is by uid:
 * made once, here, by the server as root, because it maps several uids, which bwrap (one uid) and an
 * unprivileged process (no newuidmap here) cannot. Inside, uid SANDBOX_UID (the harness) is the
 * server's sandbox uid on the host (65534, as for every run), and uids 0…STUDENT_UIDS-1 are a block of
 * host uids of their own from `hostBase` (the student's code runs as one of them, see native/broker.c). No
 * process in it may create a user namespace (max_user_namespaces 0 in it), so nothing a run starts
 * gets capabilities of its own; every run also has its own pid, mount, net, ipc and uts namespaces.
 *
 * Only the open namespace file is kept (handed to each launcher as fd 4): the process that created
 * the namespace exits once the maps are written.
 */
export const STUDENT_UIDS = 60_000;
/** Default first host uid of the block: above systemd's container range, below its "foreign" range. */
export const DEFAULT_STUDENT_HOST_UID_BASE = 0x70000000;

export interface SharedUserns {
  /** Open /proc/<pid>/ns/user of the namespace (close it to let the namespace go once runs are done). */
  fd: number;
  /** The host uid (and gid) of the namespace's uid 0: its uid N is hostBase + N, below STUDENT_UIDS. */
  hostBase: number;
  close(): void;
}

function nsOf(pid: number | 'self'): string | null {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/user`);
  } catch {
    return null;
  }
}

export async function createSharedUserns(tools: { unshare: string; nsenter: string }, hostUid: number, hostGid: number, hostBase: number): Promise<SharedUserns> {
  if (hostUid >= hostBase && hostUid < hostBase + STUDENT_UIDS) throw new Error(`the sandbox uid ${hostUid} is inside the student uid block ${hostBase}+${STUDENT_UIDS}`);
  const holder = spawn(tools.unshare, ['--user', '--', '/bin/sh', '-c', 'read x'], { stdio: ['pipe', 'ignore', 'pipe'], cwd: '/', env: { PATH: '/usr/bin:/bin' } });
  let stderr = '';
  holder.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      holder.once('spawn', resolve);
      holder.once('error', reject);
    });
    const own = nsOf('self');
    const pid = holder.pid!;
    // unshare(1) makes the namespace, then execs: wait until the holder is in it.
    for (let i = 0; nsOf(pid) === own; i++) {
      if (i > 500 || holder.exitCode !== null) throw new Error(`unshare --user did not make a namespace: ${stderr.trim() || 'no message'}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    fs.writeFileSync(`/proc/${pid}/uid_map`, `0 ${hostBase} ${STUDENT_UIDS}\n${SANDBOX_UID} ${hostUid} 1\n`);
    fs.writeFileSync(`/proc/${pid}/gid_map`, `0 ${hostBase} ${STUDENT_UIDS}\n${SANDBOX_UID} ${hostGid} 1\n`);
    const fd = fs.openSync(`/proc/${pid}/ns/user`, 'r');
    try {
      await limitUserNamespaces(tools.nsenter, pid);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    return { fd, hostBase, close: () => fs.closeSync(fd) };
  } finally {
    holder.stdin!.end();
    holder.kill('SIGKILL');
  }
}

/** Root of the namespace (its uid 0) sets its max_user_namespaces to 0. */
function limitUserNamespaces(nsenter: string, pid: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(nsenter, [`--user=/proc/${pid}/ns/user`, '--setuid', '0', '--setgid', '0', '--', '/bin/sh', '-c', 'echo 0 > /proc/sys/user/max_user_namespaces'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: '/',
      env: { PATH: '/usr/bin:/bin' },
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`cannot forbid user namespaces in the runs' namespace: ${stderr.trim() || `exit ${code}`}`))));
  });
}
