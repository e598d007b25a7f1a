// Cost of a sandboxed `true` against a plain spawn of `true`: `npm run bench:sandbox [-- runs]`.
import { measureSandboxOverhead, sandboxStatus } from '../src/grading/sandbox/index.ts';

const runs = Number(process.argv[2] ?? 100);
const status = await sandboxStatus();
if (!status.available) {
  console.error(status.reason);
  process.exit(1);
}
const report = await measureSandboxOverhead(runs);
console.log(`sandbox overhead, ${report.runs} runs (cgroup driver: ${report.cgroupDriver})`);
console.log(`  unsandboxed true  median ${report.unsandboxed.medianMs.toFixed(2)} ms  p95 ${report.unsandboxed.p95Ms.toFixed(2)} ms`);
console.log(`  sandboxed true    median ${report.sandboxed.medianMs.toFixed(2)} ms  p95 ${report.sandboxed.p95Ms.toFixed(2)} ms`);
console.log(`  difference        median ${report.overheadMedianMs.toFixed(2)} ms  ratio ${report.ratio.toFixed(2)}x`);
