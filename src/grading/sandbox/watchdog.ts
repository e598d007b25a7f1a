import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { threadId } from 'node:worker_threads';

/**
 * Kills this process's runs when it dies, whatever kills it. bwrap's --die-with-parent (a parent-death
 * signal) covers the usual case, but it is a race-prone kernel mechanism; this is the second line: a
 * small bash process, outside every run cgroup, that blocks reading a pipe from us. The pipe reaches
 * EOF only when we are gone; it then SIGKILLs every process in our run cgroups (named `<pid>-<thread>-<n>`).
 * Killing a run's bwrap init takes its whole pid namespace down with it.
 */
const WATCH_SCRIPT = [
  'while read -r _; do :; done',
  'shopt -s nullglob',
  'prefix=$1; shift',
  'for round in 1 2 3 4 5; do',
  '  for base in "$@"; do',
  '    for procs in "$base/$prefix"*/cgroup.procs; do',
  '      while read -r pid; do kill -9 "$pid" 2>/dev/null; done < "$procs"',
  '    done',
  '  done',
  '  sleep 0.2',
  'done',
].join('\n');

export interface Watchdog {
  stop(): void;
}

/** `prefix` defaults to this thread's run cgroups (see Sandbox): a grading thread that dies takes only its own runs along. */
export function startWatchdog(bash: string, bases: readonly string[], prefix = `${process.pid}-${threadId}-`): Watchdog {
  if (bases.length === 0) return { stop: () => undefined };
  const child: ChildProcess = spawn(bash, ['--norc', '--noprofile', '-c', WATCH_SCRIPT, 'assay-watchdog', prefix, ...bases], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
    cwd: '/',
    env: { PATH: '/usr/bin:/bin' },
  });
  child.on('error', () => undefined);
  child.stdin!.on('error', () => undefined);
  child.unref();
  (child.stdin as Socket).unref();
  return {
    // A clean stop must not kill anything: SIGTERM ends the script before it reaches its kill loop.
    stop: () => {
      child.kill('SIGTERM');
    },
  };
}
