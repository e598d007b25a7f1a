// Run by sandbox-security.test.ts as a separate process that is killed while its sandbox runs.
import { Sandbox } from '../../src/grading/sandbox/index.ts';

const [root, marker] = process.argv.slice(2) as [string, string];
const box = new Sandbox({ root });
await box.warm();
process.stdout.write('ready\n');
await box.run({ files: [], command: ['sh', '-c', `sleep 60.${marker} & echo running; sleep 61.${marker}`], limits: { wallMs: 120_000 } });
