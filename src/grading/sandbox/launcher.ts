import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { CgroupDriver, CgroupLimits, RunCgroup } from './cgroups.ts';
import type { SandboxLimits } from './types.ts';
import type { Owner } from './workdir.ts';

/**
 * A launcher is a bash process started ahead of time and already moved into a fresh cgroup. A run
 * sends it its rlimits, the argv to exec and bwrap's options on fd 3; it sets the rlimits with
 * `ulimit` (no extra exec), answers `x` on fd 3 (so a launcher failure is told apart from the run's
 * own exit code), closes every fd but 0-3 (fds this server inherited without close-on-exec must not
 * reach a submission) and execs bwrap, which reads its options from what is left on fd 3 (`--args 3`)
 * and closes it. Everything the run starts is therefore born inside its cgroup, and the cgroup move
 * (an RCU grace period on v1, ~10 ms) is off the run's critical path.
 *
 * Payload (NUL-separated): cpu soft s, cpu hard s, fsize KiB, nofile, address space KiB (0 = unset),
 * the number n of argv entries, the n entries of the argv to exec, then bwrap's options. mapfile
 * reads a pipe or socket a byte at a time, so it stops exactly after the argv.
 */
export const LAUNCH_SCRIPT = [
  `mapfile -d '' -t -n 6 -u 3 a || exit 111`,
  `[ "\${#a[@]}" -eq 6 ] || exit 111`,
  `mapfile -d '' -t -n "\${a[5]}" -u 3 c || exit 111`,
  `[ "\${#c[@]}" -gt 0 ] || exit 111`,
  `ulimit -S -t "\${a[0]}" && ulimit -H -t "\${a[1]}" && ulimit -f "\${a[2]}" && ulimit -n "\${a[3]}" && ulimit -c 0 || exit 111`,
  `if [ "\${a[4]}" != 0 ]; then ulimit -v "\${a[4]}" || exit 111; fi`,
  `printf x >&3 || exit 111`,
  // $1: the last fd kept (3, or 4 when fd 4 is the shared user namespace bwrap joins, userns.ts).
  `for f in /proc/$$/fd/*; do fd=\${f##*/}; if [[ $fd =~ ^[0-9]+$ ]] && [ "$fd" -gt "$1" ]; then eval "exec $fd>&-"; fi; done`,
  `exec "\${c[@]}"`,
].join('\n');

export interface Launcher {
  child: ChildProcess;
  control: Socket;
  cgroup: RunCgroup;
}

/** `argv` is exec'd; `bwrapOptions` stay on fd 3 for bwrap's `--args 3` (argv must contain it). */
export function launcherPayload(limits: SandboxLimits, addressSpaceBytes: number, argv: string[], bwrapOptions: string[]): Buffer {
  const kib = (bytes: number) => Math.ceil(bytes / 1024);
  const fields = [limits.cpuSeconds, limits.cpuSeconds + 1, kib(limits.fileSizeBytes), limits.openFiles, addressSpaceBytes > 0 ? kib(addressSpaceBytes) : 0, argv.length, ...argv, ...bwrapOptions];
  return Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8');
}

export interface LauncherSettings {
  bash: string;
  driver: CgroupDriver;
  owner: Owner;
  /** Limits the cgroup starts with (each run sets its own before it starts). */
  initialLimits: CgroupLimits;
  nextId: () => string;
  /** The shared user namespace (userns.ts), passed as fd 4; the launcher then runs as root (bwrap needs it to join). */
  usernsFd?: number;
}

function unrefAll(l: Launcher, ref: boolean): void {
  for (const stream of [l.child.stdin, l.child.stdout, l.child.stderr, l.control] as (Socket | null)[]) {
    if (ref) stream?.ref();
    else stream?.unref();
  }
  if (ref) l.child.ref();
  else l.child.unref();
}

async function startLauncher(settings: LauncherSettings): Promise<Launcher> {
  const cgroup = settings.driver.create(settings.nextId(), settings.initialLimits);
  let child: ChildProcess | undefined;
  try {
    const userns = settings.usernsFd;
    child = spawn(settings.bash, ['--norc', '--noprofile', '-c', LAUNCH_SCRIPT, 'assay-launch', userns === undefined ? '3' : '4'], {
      stdio: userns === undefined ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe', 'pipe', userns],
      // Its own process group and session, so a run can be killed as a whole.
      detached: true,
      cwd: '/',
      env: { PATH: '/usr/bin:/bin' },
      ...(userns === undefined ? (settings.owner ?? {}) : {}),
    });
    const spawned = child;
    await new Promise<void>((resolve, reject) => {
      spawned.once('spawn', resolve);
      spawned.once('error', reject);
    });
    await cgroup.attach(spawned.pid!);
  } catch (err) {
    child?.kill('SIGKILL');
    await cgroup.destroy().catch(() => undefined);
    throw err;
  }
  const launcher: Launcher = { child, control: child.stdio[3] as Socket, cgroup };
  // An idle launcher must not keep the process alive (or leave its cgroup behind when it dies).
  launcher.control.on('error', () => undefined);
  child.once('exit', () => {
    if (!taken.has(launcher)) void cgroup.destroy().catch(() => undefined);
  });
  unrefAll(launcher, false);
  return launcher;
}

const taken = new WeakSet<Launcher>();

/** Keeps `size` launchers ready; a run takes one (or waits for a new one) and the pool refills behind it. */
export class LauncherPool {
  private ready: Promise<Launcher>[] = [];
  private closed = false;

  constructor(
    private readonly settings: LauncherSettings,
    private readonly size: number,
  ) {}

  async take(): Promise<Launcher> {
    let lastError: unknown = new Error('sandbox launchers keep dying');
    for (let attempt = 0; attempt < 3; attempt++) {
      // No refill here: spawning blocks the event loop for a few ms; the caller refills once its run has started.
      const next = this.ready.shift() ?? this.start();
      try {
        const launcher = await next;
        if (launcher.child.exitCode !== null || launcher.child.signalCode !== null) continue;
        taken.add(launcher);
        unrefAll(launcher, true);
        return launcher;
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  /** Resolves when the pool is full and every launcher in it is ready. */
  async warm(): Promise<void> {
    this.fill();
    await Promise.all(this.ready.map((p) => p.catch(() => undefined)));
  }

  /** Starts launchers until `size` are ready or starting. */
  fill(): void {
    while (!this.closed && this.ready.length < this.size) {
      const starting = this.start();
      starting.catch(() => undefined);
      this.ready.push(starting);
    }
  }

  private start(): Promise<Launcher> {
    return startLauncher(this.settings);
  }

  /** Stops the idle launchers and removes their cgroups. */
  async close(): Promise<void> {
    this.closed = true;
    const idle = this.ready;
    this.ready = [];
    await Promise.all(
      idle.map(async (p) => {
        const launcher = await p.catch(() => null);
        if (!launcher) return;
        taken.add(launcher);
        launcher.child.kill('SIGKILL');
        await launcher.cgroup.destroy().catch(() => undefined);
      }),
    );
  }
}
