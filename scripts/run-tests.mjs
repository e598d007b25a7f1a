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
process.stdout.write(`running ${files.length} test files on ${engine}\n`);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, ASSAY_LOG_LEVEL: process.env.ASSAY_LOG_LEVEL ?? 'silent' } },
);
process.exit(result.status ?? 1);
