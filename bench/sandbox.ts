// Latency of a sandboxed `true` against a plain spawn of `true`, and what run_student adds to a
// harness's run, by uid and nested, measured in the same run: `npm run bench:sandbox [-- runs]`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultSandbox, measureSandboxOverhead, measureSeparation, runStudentCommand, Sandbox, sandboxStatus } from '../src/grading/sandbox/index.ts';

/** What separating the student's code may add to a run (issue 16). */
const SEPARATION_TARGET_MS = 5;

const runs = Number(process.argv[2] ?? 100);
const status = await sandboxStatus();
if (!status.available) {
  console.error(status.reason);
  process.exit(1);
}
const runStudent = runStudentCommand();
const report = await measureSandboxOverhead(runs);
const ms = (x: number) => `${x.toFixed(2)} ms`;
const pct = (part: number, whole: number) => `${whole > 0 ? ((100 * part) / whole).toFixed(0) : '?'}% of it`;
console.log(`sandbox overhead, ${report.runs} runs (cgroup driver: ${report.cgroupDriver}; run_student separates by ${status.separation})`);
console.log(`  unsandboxed true   median ${ms(report.unsandboxed.medianMs)}  p95 ${ms(report.unsandboxed.p95Ms)}`);
console.log(`  sandboxed true     median ${ms(report.sandboxed.medianMs)}  p95 ${ms(report.sandboxed.p95Ms)}`);
console.log(`  difference         median ${ms(report.overheadMedianMs)}  ratio ${report.ratio.toFixed(2)}x`);
if (report.bareBwrap) {
  console.log(`  bare bwrap true    median ${ms(report.bareBwrap.medianMs)}  p95 ${ms(report.bareBwrap.p95Ms)} (the kernel's floor on this machine now)`);
}
console.log(`  behind each run: launcher refill median ${ms(report.launcherRefill.medianMs)} (p95 ${ms(report.launcherRefill.p95Ms)}), cleanup median ${ms(report.cleanup.medianMs)}`);

// The separation itself: each separation this machine has, interleaved in the same loop.
const nestedRoot = path.join(os.tmpdir(), `assay-bench-nested-${process.pid}`);
const nested = new Sandbox({ root: nestedRoot, separation: 'nested' });
const boxes: Record<string, Sandbox> = status.separation === 'uid' ? { uid: defaultSandbox(), nested } : { nested };
try {
  const separation = await measureSeparation(runs, boxes, runStudent);
  console.log(`\nrun_student, ${runs} runs each, interleaved: a harness run calling \`run_student true\` once vs. the same harness running \`true\` itself`);
  for (const [name, t] of Object.entries(separation)) {
    const verdict = t.addedMedianMs <= SEPARATION_TARGET_MS ? 'PASS' : 'FAIL';
    console.log(
      `  ${name.padEnd(6)} harness alone median ${ms(t.harnessAlone.medianMs)} (p95 ${ms(t.harnessAlone.p95Ms)}), with run_student median ${ms(t.withRunStudent.medianMs)} (p95 ${ms(t.withRunStudent.p95Ms)}): ` +
        `+${ms(t.addedMedianMs)} a run (${pct(t.addedMedianMs, t.harnessAlone.medianMs)}); target at most ${SEPARATION_TARGET_MS} ms: ${verdict}`,
    );
  }
  for (const [name, t] of Object.entries(separation)) {
    console.log(
      `  ${name.padEnd(6)} being able to separate: a run that may not (plain \`true\`) median ${ms(t.plain.medianMs)}, the harness alone ${ms(t.harnessAlone.medianMs)}: ` +
        `+${ms(t.readyMedianMs)} every harness run (${pct(t.readyMedianMs, t.plain.medianMs)})`,
    );
  }
  console.log('  timed inside the harness (no run start or end in the figure), per call:');
  for (const [name, t] of Object.entries(separation)) {
    console.log(
      `  ${name.padEnd(6)} run_student true median ${ms(t.inside.runStudent.medianMs)} (p95 ${ms(t.inside.runStudent.p95Ms)}), the harness's own true ${ms(t.inside.ownChild.medianMs)} (p95 ${ms(t.inside.ownChild.p95Ms)}): +${ms(t.inside.addedMedianMs)} a call`,
    );
  }
} finally {
  await nested.close();
  await defaultSandbox().close();
  fs.rmSync(nestedRoot, { recursive: true, force: true });
}
