import fs from 'node:fs';
import path from 'node:path';
import { AssayError } from '../../core/errors.ts';
import { SANDBOX_GID, SANDBOX_HOSTNAME, SANDBOX_PATH, SANDBOX_UID } from './constants.ts';
import { ETC_BOUND } from './etc.ts';
import type { SandboxLimits } from './types.ts';

/**
 * The read-only system part of every run's bwrap command line, computed once at start: /usr, the
 * /bin, /lib… entries as the host has them (symlinks into /usr on a merged-/usr system, read-only
 * binds otherwise), our /etc (etc.ts), and extra read-only paths.
 */
export function systemArgs(etcDir: string, extraReadOnly: string[]): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const name of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    const host = `/${name}`;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(host);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push('--symlink', fs.readlinkSync(host), host);
    else if (stat.isDirectory()) args.push('--ro-bind', host, host);
  }
  args.push('--ro-bind', etcDir, '/etc');
  for (const name of ETC_BOUND) if (fs.existsSync(`${etcDir}/${name}`)) args.push('--ro-bind', `/etc/${name}`, `/etc/${name}`);
  for (const p of extraReadOnly) args.push('--ro-bind-try', p, p);
  return args;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function environmentArgs(env: Record<string, string> = {}): string[] {
  const vars: Record<string, string> = { PATH: SANDBOX_PATH, HOME: '/work', LANG: 'C.UTF-8', TMPDIR: '/tmp', ...env };
  const args = ['--clearenv'];
  for (const [name, value] of Object.entries(vars)) {
    if (!ENV_NAME.test(name)) throw AssayError.field(`env.${name}`, 'invalid', 'Invalid environment variable name.');
    if (typeof value !== 'string' || value.includes('\0')) throw AssayError.field(`env.${name}`, 'invalid', 'Invalid environment variable value.');
    args.push('--setenv', name, value);
  }
  return args;
}

export interface RunArgs {
  system: string[];
  workDir: string;
  limits: SandboxLimits;
  command: string[];
  env?: Record<string, string>;
  /**
   * Without a cgroup, RLIMIT_NPROC is the only process limit. It is set inside the sandbox (by prlimit,
   * once the run's user namespace exists) so that it counts this run's processes only: set before bwrap
   * it would count every process of the sandbox uid on the machine (ucounts are hierarchical).
   */
  nprocInside: { prlimit: string } | null;
  /**
   * The run may create user namespaces: a harness needs them for `run_student`, which starts the
   * student's code in a sandbox of its own (with --disable-userns there). Off, nothing in the run can.
   */
  nested?: boolean;
  /**
   * Separation by uid (userns.ts): the run joins the shared user namespace open on this fd of bwrap
   * instead of making one, and with `broker`, its main program is the broker (native/broker.c, which
   * the work dir holds at BROKER_PROGRAM) that starts the harness and serves run_student as student
   * uids from `broker.firstStudentUid`.
   */
  userns?: { fd: number; broker: { firstStudentUid: number } | null };
}

/** Student uids (and areas, /student/N) of one harness run: run_student calls at once. */
export const STUDENT_SLOTS = 8;
/**
 * Where, in the work dir, the broker is (its program, and the socket it listens on, in a directory
 * 0700 to the harness's uid) and the student areas and submission are.
 */
export const BROKER_DIR = '.assay/broker';
export const BROKER_PROGRAM = `${BROKER_DIR}/assay-broker`;
const BROKER_SOCKET = `${BROKER_DIR}/socket`;
export const STUDENT_AREAS_DIR = '.assay/student';
export const SUBMISSION_DIR = '.assay/submission';

/**
 * One run's bwrap command line in two parts: the options, which bwrap reads from a file descriptor
 * (`--args`) so that they (host paths among them) never show in its argv, which the run can read in
 * /proc/1/cmdline; and the command, which must stay in the argv.
 */
export function bwrapArgs(run: RunArgs): { options: string[]; command: string[] } {
  const inside = run.nprocInside ? [run.nprocInside.prlimit, `--nproc=${run.limits.processes + 1}`, '--'] : [];
  const broker = run.userns?.broker ?? null;
  // Joining the shared namespace, bwrap makes every other one; no process in it can make a user namespace.
  // --block-fd on the same fd makes bwrap close it (reading a namespace file fails at once) before the
  // command starts: nothing in the run inherits it.
  const namespaces = run.userns
    ? ['--userns', String(run.userns.fd), '--block-fd', String(run.userns.fd), '--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try']
    : ['--unshare-all', '--unshare-user', ...(run.nested ? [] : ['--disable-userns'])];
  const options = [
    ...namespaces,
    // The broker is the run's pid 1 (it reaps what is left to it): one process fewer to start and
    // to wait for, and nothing in the run can signal it (pid 1 gets no signal it does not handle).
    ...(broker ? ['--as-pid-1'] : []),
    '--die-with-parent',
    '--new-session',
    '--hostname', SANDBOX_HOSTNAME,
    '--uid', String(SANDBOX_UID),
    '--gid', String(SANDBOX_GID),
    '--cap-drop', 'ALL',
    // The broker's only capabilities: starting processes as other uids of the namespace, with none.
    ...(broker ? ['--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID', '--cap-add', 'CAP_SETPCAP'] : []),
    ...environmentArgs(run.env),
    ...run.system,
    '--proc', '/proc',
    '--dev', '/dev',
    // Harness and student share /tmp as users of one machine do (the harness's umask is 077).
    ...(broker ? ['--perms', '1777'] : []),
    '--size', String(run.limits.fileSizeBytes),
    '--tmpfs', '/tmp',
    '--bind', run.workDir, '/work',
    ...(broker
      ? ['--bind', path.join(run.workDir, STUDENT_AREAS_DIR), '/student', '--ro-bind-try', path.join(run.workDir, SUBMISSION_DIR), '/submission']
      : []),
    '--remount-ro', '/',
    '--chdir', '/work',
  ];
  const command = broker
    ? [`/work/${BROKER_PROGRAM}`, `/work/${BROKER_SOCKET}`, String(broker.firstStudentUid), String(STUDENT_SLOTS), '--', ...run.command]
    : run.command;
  return { options, command: [...inside, ...command] };
}
