// Runs every test file with Node's test runner (TypeScript through tsx), a few files at a time.
// The engine comes from DATABASE_URL: unset means SQLite, postgres://… means PostgreSQL.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function find(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return find(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const filter = process.argv.slice(2);
const files = find('test').filter((f) => filter.length === 0 || filter.some((x) => f.includes(x))).sort();
const engine = (process.env.DATABASE_URL ?? '').startsWith('postgres') ? 'PostgreSQL' : 'SQLite';
// Files spend half their time waiting (sandboxes, timers, the database), so twice as many files
// as cores keep both cores busy; ASSAY_TEST_CONCURRENCY overrides it.
const concurrency = process.env.ASSAY_TEST_CONCURRENCY ?? '4';
if (!/^[1-9][0-9]*$/.test(concurrency)) {
  process.stderr.write(`ASSAY_TEST_CONCURRENCY must be a positive whole number, not "${concurrency}"\n`);
  process.exit(2);
}
process.stdout.write(`running ${files.length} test files on ${engine}, ${concurrency} at a time\n`);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, ASSAY_LOG_LEVEL: process.env.ASSAY_LOG_LEVEL ?? 'silent' } },
);
process.exit(result.status ?? 1);
