import { spawn } from 'node:child_process';
import { findExecutable } from './sandbox.ts';
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
   * bwrap alone (`--unshare-all`, /usr read-only, `true`; as the sandbox uid when root), spawned from
   * here: the floor set by the kernel's namespace setup and teardown on this machine, which grows
   * with its load (RCU grace periods). null when bwrap is not found.
   */
  bareBwrap: Timing | null;
  /**
   * Starting the launcher that replaces the one a run used (spawn + cgroup move), done behind each
   * run, so not part of its latency; it bounds how many runs a second one process can start.
   */
  launcherRefill: Timing;
  /** result.cleanup() (removing the work dir; the caller does it once it has read the results). */
  cleanup: Timing;
  /**
   * A sandboxed `run_student true` (the harness starting the student's code in a sandbox of its own,
   * as every example harness does), when run_student is given: what separation costs a run on top
   * of `sandboxed`.
   */
  separated: Timing | null;
  cgroupDriver: CgroupDriverName;
}

function timing(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { medianMs: round(at(0.5)), p95Ms: round(at(0.95)) };
}

/** `true` spawned the way the sandbox's runs are (stdout and stderr piped), without a sandbox. */
function spawnPlain(command = '/usr/bin/true', args: string[] = []): Promise<void> {
  const owner = process.getuid?.() === 0 && command !== '/usr/bin/true' ? { uid: 65534, gid: 65534 } : {};
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...owner });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

/**
 * Latency of a sandboxed `true` (work dir, cgroup limits, launcher, bwrap, killing leftovers, result:
 * from run() to its result) against a plain spawn of `true` and against bare bwrap, interleaved so all
 * see the same load. What happens behind a run (cleanup, starting the next launcher) is timed apart.
 */
export async function measureSandboxOverhead(n = 50, sandbox?: Sandbox, runStudent?: Buffer): Promise<OverheadReport> {
  const box = sandbox ?? (await import('./index.ts')).defaultSandbox();
  const first = await box.run({ files: [], command: ['true'] });
  await first.cleanup();
  await spawnPlain();
  const bwrap = findExecutable('bwrap');
  const bareArgs = ['--unshare-all', '--ro-bind', '/usr', '/usr', '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/bin', '/bin', '/usr/bin/true'];
  const plain: number[] = [];
  const bare: number[] = [];
  const boxed: number[] = [];
  const refill: number[] = [];
  const cleanup: number[] = [];
  const separated: number[] = [];
  const student = runStudent && {
    files: [{ path: '.assay/bin/run_student', content: runStudent, mode: 0o755 }],
    command: ['.assay/bin/run_student', 'true'],
    nested: true,
  };
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    await box.warm();
    refill.push(performance.now() - t);
    t = performance.now();
    await spawnPlain();
    plain.push(performance.now() - t);
    if (bwrap) {
      t = performance.now();
      await spawnPlain(bwrap, bareArgs);
      bare.push(performance.now() - t);
    }
    t = performance.now();
    const result = await box.run({ files: [], command: ['true'] });
    boxed.push(performance.now() - t);
    if (result.exitCode !== 0) throw new Error(`sandboxed true failed: ${result.stderr}`);
    t = performance.now();
    await result.cleanup();
    cleanup.push(performance.now() - t);
    if (student) {
      await box.warm();
      t = performance.now();
      const apart = await box.run(student);
      separated.push(performance.now() - t);
      if (apart.exitCode !== 0) throw new Error(`run_student true failed: ${apart.stderr}`);
      await apart.cleanup();
    }
  }
  const sandboxed = timing(boxed);
  const unsandboxed = timing(plain);
  return {
    runs: n,
    sandboxed,
    unsandboxed,
    overheadMedianMs: Math.round((sandboxed.medianMs - unsandboxed.medianMs) * 1000) / 1000,
    ratio: unsandboxed.medianMs > 0 ? Math.round((sandboxed.medianMs / unsandboxed.medianMs) * 100) / 100 : 0,
    bareBwrap: bwrap ? timing(bare) : null,
    launcherRefill: timing(refill),
    cleanup: timing(cleanup),
    separated: student ? timing(separated) : null,
    cgroupDriver: first.cgroupDriver,
  };
}

export interface SeparationTiming {
  /** A run of `true` that may not start the student's code apart (nested: false): no broker, no user namespaces. */
  plain: Timing;
  /** The harness's run (nested: true) where the harness runs `true` itself. */
  harnessAlone: Timing;
  /** The same run where the harness runs `run_student true` instead. */
  withRunStudent: Timing;
  /** withRunStudent − harnessAlone (medians): what separating the student's code adds to a run. */
  addedMedianMs: number;
  /** harnessAlone − plain (medians): what being able to separate costs a harness run that never does (the broker, under uid). */
  readyMedianMs: number;
  /**
   * Timed inside one harness run, away from the run's own start and end: `run_student true` against
   * `true` started by the harness itself (fork and exec), INSIDE_CALLS of each per run, interleaved.
   */
  inside: { runStudent: Timing; ownChild: Timing; addedMedianMs: number };
}

/** Calls of each kind a harness makes per run for SeparationTiming.inside. */
const INSIDE_CALLS = 5;
const INSIDE_HARNESS = [
  `for i in $(seq ${INSIDE_CALLS}); do`,
  '  a=$EPOCHREALTIME; run_student true; b=$EPOCHREALTIME; /usr/bin/true; c=$EPOCHREALTIME',
  '  echo "${a/./} ${b/./} ${c/./}"',
  'done',
].join('\n');

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * What run_student costs a run, for each sandbox given (one per separation), all interleaved so they
 * see the same load: the median of a harness run calling `run_student true` once against the same
 * harness run doing `true` itself, and against a run that cannot separate (no broker); then, inside
 * a harness run, `run_student true` against the harness's own `true`. A submission of one small file
 * is laid out as the engine does.
 */
export async function measureSeparation(n: number, boxes: Record<string, Sandbox>, runStudent: Buffer): Promise<Record<string, SeparationTiming>> {
  const files = [
    { path: '.assay/bin/run_student', content: runStudent, mode: 0o755 },
    { path: '.assay/submission/solution.py', content: 'print(42)\n' },
  ];
  const env = { PATH: '/work/.assay/bin:/usr/bin:/bin' };
  const samples: Record<string, { plain: number[]; alone: number[]; apart: number[]; insideApart: number[]; insideOwn: number[] }> = {};
  for (const name of Object.keys(boxes)) samples[name] = { plain: [], alone: [], apart: [], insideApart: [], insideOwn: [] };
  const once = async (box: Sandbox, command: string[], into: number[], nested = true) => {
    await box.warm();
    const t = performance.now();
    const r = await box.run({ files, command, env, nested });
    into.push(performance.now() - t);
    await r.cleanup();
    if (r.exitCode !== 0) throw new Error(`${command.join(' ')} failed (exit ${r.exitCode}): ${r.stderr}`);
    return r.stdout;
  };
  for (const box of Object.values(boxes)) await once(box, ['run_student', 'true'], []);
  for (let i = 0; i < n; i++) {
    for (const [name, box] of Object.entries(boxes)) {
      const into = samples[name]!;
      await once(box, ['true'], into.plain, false);
      await once(box, ['true'], into.alone);
      await once(box, ['run_student', 'true'], into.apart);
      const lines = await once(box, ['/bin/bash', '-c', INSIDE_HARNESS], []);
      for (const line of lines.trim().split('\n')) {
        const [a, b, c] = line.split(' ').map(Number);
        into.insideApart.push((b! - a!) / 1000);
        into.insideOwn.push((c! - b!) / 1000);
      }
    }
  }
  const report: Record<string, SeparationTiming> = {};
  for (const [name, t] of Object.entries(samples)) {
    const plain = timing(t.plain);
    const harnessAlone = timing(t.alone);
    const withRunStudent = timing(t.apart);
    const runStudentInside = timing(t.insideApart);
    const ownChild = timing(t.insideOwn);
    report[name] = {
      plain,
      harnessAlone,
      withRunStudent,
      addedMedianMs: round3(withRunStudent.medianMs - harnessAlone.medianMs),
      readyMedianMs: round3(harnessAlone.medianMs - plain.medianMs),
      inside: { runStudent: runStudentInside, ownChild, addedMedianMs: round3(runStudentInside.medianMs - ownChild.medianMs) },
    };
  }
  return report;
}
