/**
 * The grading sandbox: one bubblewrap sandbox per run, around the whole staff harness.
 *
 * A run gets a fresh work dir (<root>/run-XXXXXX, 0700, owned by the sandbox uid) bound at /work, and
 * nothing else writable but its own /tmp (a small tmpfs). Every namespace is new (no network at all:
 * only the run's own loopback), /usr, our /etc copy and /etc/alternatives are read-only, /proc shows
 * only the run's processes, uid/gid are 65534 inside and (when the server is root) on the host too,
 * no capabilities, no nested user namespaces, a clean environment, no host path in its argv or mountinfo, and a work dir that is a tmpfs
 * limited in bytes and files when the server is root (work-dirs.ts). Limits: limits.ts. Where the run's
 * processes come from (a launcher in a cgroup made ahead of time): launcher.ts. The run ends when its
 * main process exits; everything else it started is killed then, before the result (and its work
 * dir) is handed back, so a harness cannot rewrite its results afterwards.
 *
 * A grading harness runs the student's code apart with run_student (native/run_student.c, compiled by
 * native.ts; the engine lays it out in .assay/bin), in one of two ways (SandboxSettings.separation):
 * by uid, where every run joins one user namespace made at start that maps several uids (userns.ts)
 * and a harness run's main program is a broker (native/broker.c) that starts the harness and, on its
 * requests, the student's code as uids of their own; or nested, where the harness's run may create
 * user namespaces and run_student starts a sandbox of its own (native/run_student.sh).
 *
 * Use: `const r = await runInSandbox({ files, command, limits }); parse r.stdout / r.readFile(...);
 * await r.cleanup();`. At server start, `await defaultSandbox().warm()` detects the cgroup driver,
 * proves bwrap works with one probe run and starts the launchers; `sandboxStatus()` says why not.
 */
import { Sandbox } from './sandbox.ts';
import type { SandboxSettings, SandboxStatus } from './sandbox.ts';
import type { SandboxResult, SandboxRunOptions } from './types.ts';

export { Sandbox, findExecutable } from './sandbox.ts';
export { SUBMISSION_DIR } from './bwrap-args.ts';
export { runStudentCommand } from './native.ts';
export type { SandboxSettings, SandboxStatus, Separation, SeparationPreference } from './sandbox.ts';
export { DEFAULT_LIMITS } from './types.ts';
export type { CgroupDriverName, SandboxFile, SandboxLimits, SandboxResult, SandboxRunOptions } from './types.ts';
export { detectCgroupDriver } from './cgroups.ts';
export type { CgroupDriver, CgroupLimits, CgroupPreference, CgroupStats, RunCgroup } from './cgroups.ts';
export { HeadTailCapture } from './output.ts';
export { measureSandboxOverhead, measureSeparation } from './bench.ts';
export type { OverheadReport, SeparationTiming } from './bench.ts';

let shared: Sandbox | null = null;

/** The process-wide sandbox (settings from the environment until configureSandbox is called). */
export function defaultSandbox(): Sandbox {
  shared ??= new Sandbox();
  return shared;
}

/** Replaces the process-wide sandbox, e.g. with settings from the server's config. */
export function configureSandbox(settings: SandboxSettings): Sandbox {
  shared = new Sandbox(settings);
  return shared;
}

/** Runs one command in a fresh sandbox; throws AssayError `unavailable` when there is no working bwrap. */
export function runInSandbox(options: SandboxRunOptions): Promise<SandboxResult> {
  return defaultSandbox().run(options);
}

/** Whether runs can happen here (bwrap present and proven by one probe run). */
export function sandboxAvailable(): Promise<boolean> {
  return defaultSandbox().available();
}

export function sandboxStatus(): Promise<SandboxStatus> {
  return defaultSandbox().status();
}
