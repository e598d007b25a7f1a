// Latency of a sandboxed `true` against a plain spawn of `true`: `npm run bench:sandbox [-- runs]`.
import fs from 'node:fs';
import { defaultSandbox, measureSandboxOverhead, sandboxStatus } from '../src/grading/sandbox/index.ts';

const runs = Number(process.argv[2] ?? 100);
const status = await sandboxStatus();
if (!status.available) {
  console.error(status.reason);
  process.exit(1);
}
const runStudent = fs.readFileSync(new URL('../src/grading/harness-bin/run_student', import.meta.url));
const report = await measureSandboxOverhead(runs, undefined, runStudent);
await defaultSandbox().close();
const ms = (x: number) => `${x.toFixed(2)} ms`;
console.log(`sandbox overhead, ${report.runs} runs (cgroup driver: ${report.cgroupDriver})`);
console.log(`  unsandboxed true   median ${ms(report.unsandboxed.medianMs)}  p95 ${ms(report.unsandboxed.p95Ms)}`);
console.log(`  sandboxed true     median ${ms(report.sandboxed.medianMs)}  p95 ${ms(report.sandboxed.p95Ms)}`);
console.log(`  difference         median ${ms(report.overheadMedianMs)}  ratio ${report.ratio.toFixed(2)}x`);
if (report.bareBwrap) {
  console.log(`  bare bwrap true    median ${ms(report.bareBwrap.medianMs)}  p95 ${ms(report.bareBwrap.p95Ms)} (the kernel's floor on this machine now)`);
}
if (report.separated) {
  const extra = report.separated.medianMs - report.sandboxed.medianMs;
  console.log(`  run_student true   median ${ms(report.separated.medianMs)}  p95 ${ms(report.separated.p95Ms)} (the student's code apart: +${ms(extra)} a run)`);
}
console.log(`  behind each run: launcher refill median ${ms(report.launcherRefill.medianMs)} (p95 ${ms(report.launcherRefill.p95Ms)}), cleanup median ${ms(report.cleanup.medianMs)}`);
