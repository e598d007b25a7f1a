import { parentPort, workerData } from 'node:worker_threads';
import { Sandbox } from '../../src/grading/sandbox/index.ts';

/**
 * A sandbox in a worker thread (as the grading thread has), sharing its root with the test's main
 * thread: runs `cat /etc/passwd` `runs` times and answers how many failed, and why.
 */
const { root, runs } = workerData as { root: string; runs: number };
const box = new Sandbox({ root });
const failures: string[] = [];
await box.warm();
parentPort!.postMessage({ kind: 'ready' });
for (let i = 0; i < runs; i++) {
  const r = await box.run({ files: [], command: ['cat', '/etc/passwd'], limits: { wallMs: 10_000 } });
  if (r.exitCode !== 0 || !r.stdout.includes('nobody')) failures.push(`exit ${r.exitCode}: ${r.stderr.trim().slice(0, 200)}`);
  await r.cleanup();
}
await box.close();
parentPort!.postMessage({ kind: 'done', failures });
