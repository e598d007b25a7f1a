import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProblemDefinition, RawAnswers } from '../../src/core/tasks/problems.ts';
import { answerProblems, gradeInCore, publicProblem, storedAnswers } from '../../src/core/tasks/problems.ts';
import { formatInZone, parseInZone } from '../../src/core/zoned-time.ts';
import { pythonRepr, rstToHtml, toWire, PyFloat } from '../../src/dialects/inginious/wire.ts';

const defaults = { maxFileBytes: 10, allowedExts: ['.c', '.tar.gz'] };
const answers = (fields: Record<string, string[]>, files: RawAnswers['files'] = {}): RawAnswers => ({ fields, files });

describe('INGInious answer checks', () => {
  const line: ProblemDefinition = { id: 'l', type: 'code_single_line' };
  const optional: ProblemDefinition = { id: 'o', type: 'code', optional: true };
  const file: ProblemDefinition = { id: 'f', type: 'file' };
  const plugin: ProblemDefinition = { id: 'p', type: 'some_plugin' };
  const cases: [string, ProblemDefinition, RawAnswers, boolean][] = [
    ['single-line code present', line, answers({ l: ['x'] }), true],
    ['single-line code missing', line, answers({}), false],
    ['single-line code twice', line, answers({ l: ['a', 'b'] }), false],
    ['optional code absent', optional, answers({}), true],
    ['optional code empty', optional, answers({ o: [''] }), true],
    ['file with a default extension', file, answers({}, { f: [{ filename: 'a.tar.gz', data: Buffer.from('x') }] }), true],
    ['file extension in another case (case-sensitive, as upstream)', file, answers({}, { f: [{ filename: 'A.C', data: Buffer.from('x') }] }), false],
    ['file over the default size', file, answers({}, { f: [{ filename: 'a.c', data: Buffer.alloc(11) }] }), false],
    ['file exactly at the default size', file, answers({}, { f: [{ filename: 'a.c', data: Buffer.alloc(10) }] }), true],
    ['two files', file, answers({}, { f: [{ filename: 'a.c', data: Buffer.from('') }, { filename: 'b.c', data: Buffer.from('') }] }), false],
    ['a plugin problem, unchecked', plugin, answers({}), true],
  ];
  for (const [name, problem, raw, ok] of cases) {
    it(`${ok ? 'accepts' : 'refuses'} ${name}`, () => {
      assert.equal(answerProblems([problem], raw, defaults).length === 0, ok);
    });
  }

  it('stores answers as strings, lists and file references, other fields unchanged, @ keys ignored', () => {
    const problems: ProblemDefinition[] = [
      { id: 'm', type: 'multiple_choice', multiple: true, choices: [{ text: 'a' }, { text: 'b' }] },
      { id: 's', type: 'multiple_choice', choices: [{ text: 'a' }] },
      { id: 'f', type: 'file' },
    ];
    const stored = storedAnswers(problems, answers({ m: ['01', '1'], s: ['0'], extra: ['a', 'b'], '@username': ['mallory'] }, { f: [{ filename: '../../etc/x.c', data: Buffer.from('') }] }));
    assert.deepEqual(stored, { m: ['1', '1'], s: '0', extra: ['a', 'b'], f: { filename: '../../etc/x.c', path: 'f/x.c' } });
  });

  it('grades choice and match problems in the core', () => {
    const problems: ProblemDefinition[] = [
      { id: 'a', type: 'multiple_choice', choices: [{ text: 'x', valid: true }, { text: 'y' }] },
      { id: 'b', type: 'multiple_choice', multiple: true, choices: [{ text: 'x', valid: true }, { text: 'y', valid: true }, { text: 'z' }] },
      { id: 'c', type: 'match', answer: '42' },
    ];
    const result = gradeInCore(problems, { a: '0', b: ['1'], c: ' 42 ' });
    assert.equal(result.result, 'failed');
    assert.equal(result.grade, (100 * 2) / 3);
    assert.deepEqual(Object.fromEntries(Object.entries(result.problems).map(([k, v]) => [k, v.result])), { a: 'success', b: 'failed', c: 'success' });
    assert.equal(gradeInCore(problems, { a: '0', b: ['1', '0'], c: '42' }).grade, 100);
  });

  it('shows problems without their answers', () => {
    const shown = publicProblem({ id: 'q', type: 'multiple_choice', header: 'H', choices: [{ text: 'x', valid: true, feedback: 'yes' }] });
    assert.deepEqual(shown, { id: 'q', type: 'multiple_choice', header: 'H', choices: { '0': 'x' } });
    assert.deepEqual(publicProblem({ id: 'm', type: 'match', answer: '42' }), { id: 'm', type: 'match', header: '' });
  });
});

describe('INGInious wire details', () => {
  it('writes grades as Python prints floats', () => {
    assert.deepEqual([100, 0, 66.66666666666667, 12.5, 0.00001, 1e16].map(pythonRepr), ['100.0', '0.0', '66.66666666666667', '12.5', '1e-05', '1e+16']);
    assert.equal(toWire({ grade: new PyFloat(50), n: 3, s: 'x' }), '{"grade":50.0,"n":3,"s":"x"}');
  });

  it('renders feedback RST as escaped HTML', () => {
    assert.equal(rstToHtml(''), '');
    assert.equal(rstToHtml('Use ``x`` and **y** <b>'), '<p>Use <code>x</code> and <strong>y</strong> &lt;b&gt;</p>');
    assert.equal(rstToHtml('Output::\n\n    a < b\n    c'), '<p>Output:</p>\n<pre>a &lt; b\nc</pre>');
    assert.equal(rstToHtml('- one\n- two'), '<ul><li>one</li><li>two</li></ul>');
    // The one HTML escaper Assay has: quotes of both kinds are escaped too.
    assert.equal(rstToHtml(`it's "x" & y`), '<p>it&#39;s &quot;x&quot; &amp; y</p>');
  });

  it('reads and writes wall-clock times in a zone', () => {
    assert.equal(parseInZone('2025-01-15 10:00:00', 'Europe/Brussels'), '2025-01-15T09:00:00.000000Z');
    assert.equal(parseInZone('2025-07-15 10:00', 'Europe/Brussels'), '2025-07-15T08:00:00.000000Z');
    assert.equal(parseInZone('2025-02-30 10:00', 'UTC'), null);
    assert.equal(formatInZone('2025-07-15T08:00:00.000001Z', 'Europe/Brussels'), '2025-07-15 10:00:00.000001');
    assert.equal(formatInZone('2025-07-15T08:00:00.000000Z', 'UTC'), '2025-07-15 08:00:00.000000');
  });
});
