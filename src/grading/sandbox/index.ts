import { Sandbox } from './sandbox.ts';
import type { SandboxSettings, SandboxStatus } from './sandbox.ts';
import type { SandboxResult, SandboxRunOptions } from './types.ts';

export { Sandbox, findExecutable } from './sandbox.ts';
export type { SandboxSettings, SandboxStatus } from './sandbox.ts';
export { DEFAULT_LIMITS } from './types.ts';
export type { CgroupDriverName, SandboxFile, SandboxLimits, SandboxResult, SandboxRunOptions } from './types.ts';
export { detectCgroupDriver } from './cgroups.ts';
export type { CgroupDriver, CgroupLimits, CgroupPreference, CgroupStats, RunCgroup } from './cgroups.ts';
export { HeadTailCapture } from './output.ts';
export { measureSandboxOverhead } from './bench.ts';
export type { OverheadReport } from './bench.ts';

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
