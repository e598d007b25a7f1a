import fs from 'node:fs';
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
}

/**
 * One run's bwrap command line in two parts: the options, which bwrap reads from a file descriptor
 * (`--args`) so that they (host paths among them) never show in its argv, which the run can read in
 * /proc/1/cmdline; and the command, which must stay in the argv.
 */
export function bwrapArgs(run: RunArgs): { options: string[]; command: string[] } {
  const inside = run.nprocInside ? [run.nprocInside.prlimit, `--nproc=${run.limits.processes + 1}`, '--'] : [];
  const options = [
    '--unshare-all',
    '--unshare-user',
    ...(run.nested ? [] : ['--disable-userns']),
    '--die-with-parent',
    '--new-session',
    '--hostname', SANDBOX_HOSTNAME,
    '--uid', String(SANDBOX_UID),
    '--gid', String(SANDBOX_GID),
    '--cap-drop', 'ALL',
    ...environmentArgs(run.env),
    ...run.system,
    '--proc', '/proc',
    '--dev', '/dev',
    '--size', String(run.limits.fileSizeBytes),
    '--tmpfs', '/tmp',
    '--bind', run.workDir, '/work',
    '--remount-ro', '/',
    '--chdir', '/work',
  ];
  return { options, command: [...inside, ...run.command] };
}
