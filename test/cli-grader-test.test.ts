import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT, runCli } from './helpers/cli.ts';
import { sandboxWorks } from './grading/sandbox-helpers.ts';

const haveSandbox = await sandboxWorks();
// A database the command must never open: nothing listens there.
const NO_DATABASE = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
const temps: string[] = [];

function copyExample(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-grader-test-'));
  temps.push(dir);
  fs.cpSync(path.join(ROOT, 'examples/intro-python'), dir, { recursive: true });
  return dir;
}

function edit(file: string, from: string, to: string): void {
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${file} has ${from}`);
  fs.writeFileSync(file, text.replace(from, to));
}

describe('assay grader test DIR/EXERCISE [SUBMISSION]', () => {
  after(() => {
    for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
  });

  it('names a usage mistake in one line, exit 2', async () => {
    const missing = await runCli(['grader', 'test'], NO_DATABASE);
    assert.deepEqual([missing.code, missing.stderr], [2, 'assay: missing DIR/EXERCISE for "grader test"\n']);
    const extra = await runCli(['grader', 'test', 'a', 'b', 'c'], NO_DATABASE);
    assert.deepEqual([extra.code, extra.stderr], [2, 'assay: unexpected argument "c" for "grader test"\n']);
  });

  it('refuses a folder that is not an exercise, exit 1', async () => {
    const r = await runCli(['grader', 'test', 'examples/intro-python/nope'], NO_DATABASE);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^assay: examples\/intro-python\/nope is not an exercise folder of .*intro-python \(it has no exercise.yaml\)\n$/);
  });

  describe('in the sandbox', { skip: haveSandbox ? false : 'bubblewrap is not usable here' }, () => {
    it('runs the grader on the reference solution: full marks, each test, no warning, no database', async () => {
      const r = await runCli(['grader', 'test', 'examples/intro-python/greet'], NO_DATABASE);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split('\n');
      assert.equal(lines[0], 'greet: native grader (python3 run.py), 1 harness files, on examples/intro-python/greet/solution (1 files)');
      assert.match(lines[1]!, /^outcome: success, score 100\/100 \(\d+\.\d s\)$/);
      assert.deepEqual(lines.slice(2), ['tests:', '  passed   40/40  greet', '      ok', '  passed   60/60  fizzbuzz', '      ok', 'problems:', '  greet: 40/40', '  fizzbuzz: 60/60', '']);
      assert.doesNotMatch(r.stdout, /warning/);
    });

    it('runs it on a submission folder: each failing test with its output, still exit 0', async () => {
      const r = await runCli(['grader', 'test', 'examples/intro-python/greet', 'examples/intro-python/greet/handout'], NO_DATABASE);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\noutcome: failed, score 0\/100 /);
      assert.match(r.stdout, /\n {2}failed {4}0\/40 {2}greet\n {6}greet\('Ada'\) raised NotImplementedError: greet\n/);
      assert.match(r.stdout, /\n {2}failed {4}0\/60 {2}fizzbuzz\n {6}fizzbuzz\(0\) raised NotImplementedError: fizzbuzz\n/);
      const inginious = await runCli(['grader', 'test', 'examples/intro-python/palindromes', 'examples/intro-python/palindromes/handout'], NO_DATABASE);
      assert.equal(inginious.code, 0, inginious.stderr);
      assert.match(inginious.stdout, /\n {2}is_palindrome: failed\n {6}is_palindrome\('A man, a plan, a canal: Panama',\) returned False, expected True\n/);
      assert.match(inginious.stdout, /\nfeedback:\n {2}0 of 2 problems solved.\n/);
    });

    it('prints the grading contract warnings of the run', async () => {
      const dir = copyExample();
      edit(path.join(dir, 'greet/exercise.yaml'), '  - name: fizzbuzz\n', '  - name: fizz\n');
      const r = await runCli(['grader', 'test', path.join(dir, 'greet')], NO_DATABASE);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\noutcome: success, score 100\/100 /);
      assert.deepEqual(r.stdout.split('\n').filter((l) => l.startsWith('warning: ')), [
        'warning: the result names "fizzbuzz", which is not a problem of the exercise (its problems: "greet", "fizz"); it scores nothing',
        'warning: problem "fizz" is not scored by the result',
      ]);
    });

    it('exits 1 when the grader fails to run (a staff error)', async () => {
      const dir = copyExample();
      edit(path.join(dir, 'greet/exercise.yaml'), 'command: [python3, run.py]', 'command: [python3, -c, "raise SystemExit(3)"]');
      const r = await runCli(['grader', 'test', path.join(dir, 'greet')], NO_DATABASE);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stdout, /\noutcome: crash, score - /);
      assert.equal(r.stderr, 'assay: the grader failed to run (crash): see the log above\n');
    });
  });
});
