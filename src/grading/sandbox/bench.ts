import { spawn } from 'node:child_process';
import type { Sandbox } from './sandbox.ts';
import type { CgroupDriverName } from './types.ts';

export interface Timing {
  medianMs: number;
  p95Ms: number;
}

export interface OverheadReport {
  runs: number;
  sandboxed: Timing;
  unsandboxed: Timing;
  /** Median sandboxed minus median unsandboxed, and their ratio. */
  overheadMedianMs: number;
  ratio: number;
  /**
   * Starting the launcher that replaces the one a run used (spawn + cgroup move), done behind each
   * run, so not part of its latency; it bounds how many runs a second one process can start.
   */
  launcherRefill: Timing;
  cgroupDriver: CgroupDriverName;
}

function timing(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { medianMs: round(at(0.5)), p95Ms: round(at(0.95)) };
}

/** `true` spawned the way the sandbox's runs are (stdout and stderr piped), without a sandbox. */
function spawnPlain(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/true', [], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

/**
 * Latency of a sandboxed `true` (work dir, cgroup limits, launcher, bwrap, result, cleanup: the whole
 * run) against a plain spawn of `true`, alternating the two so both see the same machine load.
 */
export async function measureSandboxOverhead(n = 50, sandbox?: Sandbox): Promise<OverheadReport> {
  const box = sandbox ?? (await import('./index.ts')).defaultSandbox();
  const first = await box.run({ files: [], command: ['true'] });
  await first.cleanup();
  await spawnPlain();
  const plain: number[] = [];
  const boxed: number[] = [];
  const refill: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    await box.warm();
    refill.push(performance.now() - t);
    t = performance.now();
    await spawnPlain();
    plain.push(performance.now() - t);
    t = performance.now();
    const result = await box.run({ files: [], command: ['true'] });
    await result.cleanup();
    boxed.push(performance.now() - t);
    if (result.exitCode !== 0) throw new Error(`sandboxed true failed: ${result.stderr}`);
  }
  const sandboxed = timing(boxed);
  const unsandboxed = timing(plain);
  return {
    runs: n,
    sandboxed,
    unsandboxed,
    overheadMedianMs: Math.round((sandboxed.medianMs - unsandboxed.medianMs) * 1000) / 1000,
    ratio: unsandboxed.medianMs > 0 ? Math.round((sandboxed.medianMs / unsandboxed.medianMs) * 100) / 100 : 0,
    launcherRefill: timing(refill),
    cgroupDriver: first.cgroupDriver,
  };
}
