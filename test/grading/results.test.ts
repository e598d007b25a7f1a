import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseAutolabResults, settleAutolabGrade } from '../../src/grading/results/autolab.ts';
import { contractWarnings, gradeContractWarnings } from '../../src/grading/results/contract.ts';
import { INGINIOUS_FEEDBACK_FILE, parseInginiousResults } from '../../src/grading/results/inginious.ts';
import { parseNativeResults } from '../../src/grading/results/native.ts';
import type { RunOutput } from '../../src/grading/results/types.ts';

function run(over: Partial<RunOutput> & { files?: Record<string, string> } = {}): RunOutput {
  const files = over.files ?? {};
  return {
    exitCode: 0,
    signal: null,
    timedOut: false,
    memoryExceeded: false,
    outputTruncated: false,
    stdout: '',
    stderr: '',
    readFile: async (p) => (p in files ? Buffer.from(files[p]!) : null),
    ...over,
  };
}

describe('native results.json', () => {
  it('reads score, output and tests', async () => {
    const doc = {
      output: 'well done',
      tests: [
        { name: 'adds', score: 2, max_score: 2, status: 'passed', output: 'ok' },
        { name: 'subtracts', score: 1, max_score: 3, status: 'failed', output: 'off by one', visibility: 'hidden' },
      ],
    };
    const r = await parseNativeResults(run({ files: { 'results.json': JSON.stringify(doc) } }));
    assert.equal(r.outcome, 'failed');
    assert.equal(r.score, 3);
    assert.equal(r.maxScore, 5);
    assert.equal(r.feedback, 'well done');
    assert.deepEqual(r.tests.map((t) => [t.name, t.score, t.maxScore, t.status, t.visibility]), [
      ['adds', 2, 2, 'passed', 'visible'],
      ['subtracts', 1, 3, 'failed', 'hidden'],
    ]);
    assert.equal(r.staffError, false);
  });

  it('passes when every test passes, and honours an explicit score', async () => {
    const r = await parseNativeResults(run({ files: { 'results.json': JSON.stringify({ score: 10, tests: [{ name: 'a', status: 'passed' }] }) } }));
    assert.equal(r.outcome, 'success');
    assert.equal(r.score, 10);
  });

  it('turns a missing, malformed or ill-typed file into a staff error, never a zero', async () => {
    for (const files of [{}, { 'results.json': '{not json' }, { 'results.json': '[1]' }, { 'results.json': '{"score":"ten"}' }, { 'results.json': '{"tests":{}}' }] as Record<string, string>[]) {
      const r = await parseNativeResults(run({ files }));
      assert.ok(['crash', 'error'].includes(r.outcome), JSON.stringify(files));
      assert.equal(r.staffError, true);
      assert.equal(r.score, null);
    }
  });

  it('reports time-outs, memory exhaustion and kills before reading anything', async () => {
    assert.equal((await parseNativeResults(run({ timedOut: true }))).outcome, 'timeout');
    assert.equal((await parseNativeResults(run({ memoryExceeded: true }))).outcome, 'overflow');
    assert.equal((await parseNativeResults(run({ signal: 'SIGKILL' }))).outcome, 'killed');
  });
});

describe('Autolab output', () => {
  it('takes the scores from the last line', async () => {
    const stdout = 'compiling...\nall good\n{"scores": {"Correctness": 80, "Style": "15"}, "scoreboard": [95, 3]}\n';
    const r = await parseAutolabResults(run({ stdout }));
    assert.equal(r.outcome, 'success');
    assert.deepEqual(r.problems, { Correctness: { score: 80 }, Style: { score: 15 } });
    assert.equal(r.score, 95);
    assert.deepEqual(r.scoreboard, [95, 3]);
    assert.equal(r.feedback, stdout);
  });

  it('refuses garbage as a staff error', async () => {
    for (const stdout of ['', 'no json here', '{"score": 3}', '{"scores": {"a": "x"}}', '{"scores": [1]}']) {
      const r = await parseAutolabResults(run({ stdout }));
      assert.equal(r.outcome, 'error', stdout);
      assert.equal(r.staffError, true);
    }
  });

  it('quotes bare keys as Autolab does, leaving strings alone', async () => {
    const r = await parseAutolabResults(run({ stdout: 'see http://x.org:80/a\n{scores: {Correctness: 7, "Style": 2}, scoreboard: ["a:b", 9]}\n' }));
    assert.equal(r.outcome, 'success');
    assert.deepEqual(r.problems, { Correctness: { score: 7 }, Style: { score: 2 } });
    assert.deepEqual(r.scoreboard, ['a:b', 9]);
  });

  it('settles against the problems: unknown names and parse failures give zeros and say why', async () => {
    const good = await parseAutolabResults(run({ stdout: '{"scores": {"A": 3}}' }));
    assert.equal(settleAutolabGrade(good, ['A', 'B']), good, 'a result naming known problems is kept as it is');
    const unknown = settleAutolabGrade(await parseAutolabResults(run({ stdout: 'out\n{"scores": {"A": 3, "Z": 1}}' })), ['A', 'B']);
    assert.equal(unknown.outcome, 'error');
    assert.deepEqual(unknown.problems, { A: { score: 0 }, B: { score: 0 } });
    assert.match(unknown.feedback, /^out\n\{"scores".*\nAutograder error: Unknown problem name: Z$/s);
    const garbage = settleAutolabGrade(await parseAutolabResults(run({ stdout: 'crashed\n' })), ['A', 'B']);
    assert.deepEqual(garbage.problems, { A: { score: 0 }, B: { score: 0 } });
    assert.equal(garbage.score, 0);
    assert.equal(garbage.feedback, 'crashed\nAutograder error: the last line of output is not JSON');
  });
});

describe('INGInious feedback commands', () => {
  const bin = path.resolve('src/grading/inginious-bin');

  function harness(script: string, exitCode = 0): RunOutput {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inginious-'));
    const feedback = path.join(dir, INGINIOUS_FEEDBACK_FILE);
    execFileSync('sh', ['-c', script], { env: { PATH: `${bin}:/usr/bin:/bin`, ASSAY_FEEDBACK: feedback } });
    return run({ exitCode, readFile: async (p) => (fs.existsSync(path.join(dir, p)) ? fs.readFileSync(path.join(dir, p)) : null) });
  }

  it('records result, grade and messages, globally and per problem', async () => {
    const r = await parseInginiousResults(
      harness(`feedback-result failed
feedback-grade 66.5
feedback-msg -m "Global: tabs	and
newlines"
feedback-msg -a -m " more"
feedback-result -i q1 success
feedback-msg -i q1 -m 'q1 "ok"'
feedback-result -i q2 failed`),
    );
    assert.equal(r.outcome, 'failed');
    assert.equal(r.score, 66.5);
    assert.equal(r.feedback, 'Global: tabs\tand\nnewlines more');
    assert.deepEqual(r.problems, { q1: { result: 'success', feedback: 'q1 "ok"' }, q2: { result: 'failed' } });
  });

  it('defaults the grade to 100 on success and 0 otherwise', async () => {
    assert.equal((await parseInginiousResults(harness('feedback-result success'))).score, 100);
    assert.equal((await parseInginiousResults(harness('feedback-result crash'))).score, 0);
  });

  it('is a clear error when the run sets no result or a bad one', async () => {
    const none = await parseInginiousResults(harness('true'));
    assert.equal(none.outcome, 'error');
    assert.equal(none.staffError, true);
    const crashed = await parseInginiousResults(harness('true', 3));
    assert.equal(crashed.outcome, 'crash');
    const bad = await parseInginiousResults(harness('feedback-result great'));
    assert.equal(bad.outcome, 'error');
    const grade = await parseInginiousResults(harness('feedback-result success; feedback-grade lots'));
    assert.equal(grade.outcome, 'error');
  });
});

describe('the grading contract (names a result scores against the exercise problems)', () => {
  it('warns of a name the exercise does not have and of a problem left unscored', () => {
    assert.deepEqual(contractWarnings(['greet', 'fizzbuzz up to 5'], ['greet', 'fizzbuzz']), [
      'the result names "fizzbuzz up to 5", which is not a problem of the exercise (its problems: "greet", "fizzbuzz"); it scores nothing',
      'problem "fizzbuzz" is not scored by the result',
    ]);
    assert.deepEqual(contractWarnings(['greet', 'fizzbuzz'], ['greet', 'fizzbuzz']), []);
    assert.deepEqual(contractWarnings(['anything'], []), [], 'an exercise without problems has no contract');
  });

  it('checks each convention, but not a run that ended without a result', async () => {
    const native = await parseNativeResults(run({ files: { 'results.json': JSON.stringify({ tests: [{ name: 'a', score: 1 }, { name: 'b', score: 2 }] }) } }));
    assert.deepEqual(gradeContractWarnings(native, ['a', 'c']), [
      'the result names "b", which is not a problem of the exercise (its problems: "a", "c"); it scores nothing',
      'problem "c" is not scored by the result',
    ]);
    const autolab = await parseAutolabResults(run({ stdout: '{"scores": {"a": 1}}\n' }));
    assert.deepEqual(gradeContractWarnings(settleAutolabGrade(autolab, ['a', 'c']), ['a', 'c']), ['problem "c" is not scored by the result']);
    const timedOut = await parseNativeResults(run({ timedOut: true }));
    assert.deepEqual(gradeContractWarnings(timedOut, ['a']), []);
  });
});
