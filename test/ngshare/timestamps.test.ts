import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAssayError } from '../../src/core/errors.ts';
import { renderNgshareError } from '../../src/dialects/ngshare/errors.ts';
import {
  formatNgshareTimestamp,
  ngshareTimestampMatches,
  parseNgshareTimestamp,
  requireNgshareTimestamp,
} from '../../src/dialects/ngshare/timestamps.ts';

// Expected values produced by CPython 3.12: strptime('%Y-%m-%d %H:%M:%S.%f %Z'), then
// strptime(value.strip(), '%Y-%m-%d %H:%M:%S.%f'); null = ValueError.
const CASES: [string, string | null][] = [
  ['2020-01-30 10:30:47.524219', '2020-01-30T10:30:47.524219Z'],
  ['2020-01-30 10:30:47.524219 UTC', '2020-01-30T10:30:47.524219Z'],
  ['2020-01-30 10:30:47.524219 utc', '2020-01-30T10:30:47.524219Z'],
  ['2020-01-30 10:30:47.524219 GMT', '2020-01-30T10:30:47.524219Z'],
  ['2020-01-30 10:30:47.524219 gMt', '2020-01-30T10:30:47.524219Z'],
  ['2020-01-30 10:30:47.5', '2020-01-30T10:30:47.500000Z'],
  ['2020-01-30 10:30:47.52', '2020-01-30T10:30:47.520000Z'],
  ['2020-01-30 10:30:47.000001', '2020-01-30T10:30:47.000001Z'],
  ['2020-1-3 1:2:3.4', '2020-01-03T01:02:03.400000Z'],
  ['2020-01- 3 10:00:00.1', '2020-01-03T10:00:00.100000Z'],
  ['2020-01-30  10:30:47.524219', '2020-01-30T10:30:47.524219Z'],
  ['2020-01-30\t10:30:47.524219', '2020-01-30T10:30:47.524219Z'],
  ['2020-01-30 10:30:47.524219  UTC', '2020-01-30T10:30:47.524219Z'],
  ['  2020-01-30 10:30:47.524219  ', '2020-01-30T10:30:47.524219Z'],
  ['2020-02-29 23:59:59.999999', '2020-02-29T23:59:59.999999Z'],
  ['1969-12-31 23:59:59.5', '1969-12-31T23:59:59.500000Z'],
  ['0001-01-01 00:00:00.0', '0001-01-01T00:00:00.000000Z'],
  ['9999-12-31 23:59:59.999999', '9999-12-31T23:59:59.999999Z'],
  ['2020-01-30 10:30:47', null],
  ['2020-01-30 10:30:47.', null],
  ['2020-01-30 10:30:47.5242191', null],
  ['2020-01-30T10:30:47.524219', null],
  ['2020-01-30 10:30:47.524219Z', null],
  ['2020-01-30 10:30:47.524219UTC', null],
  ['2020-01-30 10:30:47.524219 PST', null],
  ['2020-01-30 10:30:47.524219 +0000', null],
  ['2020-01-30 10:30:47.524219+00:00', null],
  ['2020-01-30T10:30:47.524219Z', null],
  ['2021-02-29 00:00:00.0', null],
  ['2020-04-31 00:00:00.0', null],
  ['2020-13-01 00:00:00.0', null],
  ['2020-00-01 00:00:00.0', null],
  ['2020-01-00 00:00:00.0', null],
  ['2020-01-32 00:00:00.0', null],
  ['2020-01-30 24:00:00.0', null],
  ['2020-01-30 10:60:00.0', null],
  ['2020-01-30 10:00:60.0', null],
  ['2020-01-30 10:00:61.0', null],
  ['0000-01-01 00:00:00.0', null],
  ['20-01-30 10:30:47.5', null],
  ['02020-01-30 10:30:47.5', null],
  ['2020-001-30 10:30:47.5', null],
  ['2020-01-30 010:30:47.5', null],
  ['', null],
  ['UTC', null],
  ['2020-01-30 10:30:47.-5', null],
  ['2020-01-30 10:30:47.5 UTC UTC', null],
  ['2020/01/30 10:30:47.5', null],
  ['2020-01-30 10:30:47,5', null],
  // Python rejects the trailing space after a zone, but Tornado strips arguments before, so on
  // the wire the value arrives without it and is accepted.
  ['2020-01-30 10:30:47.524219 utc ', '2020-01-30T10:30:47.524219Z'],
];

describe('ngshare timestamp parsing (§4.2)', () => {
  for (const [input, expected] of CASES) {
    it(`${JSON.stringify(input)} → ${expected ?? 'rejected'}`, () => {
      assert.equal(parseNgshareTimestamp(input), expected);
    });
  }

  it('rejects non-ASCII digits (a deliberate narrowing of Python\'s \\d)', () => {
    assert.equal(parseNgshareTimestamp('２０２０-01-30 10:30:47.5'), null);
  });

  it('requireNgshareTimestamp throws the 400 Time format incorrect', () => {
    assert.equal(requireNgshareTimestamp('2020-01-30 10:30:47.5 UTC'), '2020-01-30T10:30:47.500000Z');
    assert.throws(
      () => requireNgshareTimestamp('2020-01-30 10:30:47'),
      (e) => isAssayError(e) && e.kind === 'invalid' && renderNgshareError(e, 'GET', false).body.message === 'Time format incorrect' && renderNgshareError(e, 'GET', false).status === 400,
    );
  });
});

describe('ngshare timestamp formatting (§4.1)', () => {
  it('emits the upstream form: space, 6 digits, no suffix, no +', () => {
    assert.equal(formatNgshareTimestamp('2020-01-30T10:30:47.524219Z'), '2020-01-30 10:30:47.524219');
    assert.equal(formatNgshareTimestamp('2020-01-03T01:02:03.000000Z'), '2020-01-03 01:02:03.000000');
    assert.equal(formatNgshareTimestamp('1969-12-31T23:59:59.500000Z'), '1969-12-31 23:59:59.500000');
  });

  it('normalises a non-canonical core value', () => {
    assert.equal(formatNgshareTimestamp('2020-01-30T12:30:47.5+02:00'), '2020-01-30 10:30:47.500000');
    assert.throws(() => formatNgshareTimestamp('garbage'));
  });

  it('round-trips: every emitted value parses back to the stored one', () => {
    for (const t of ['2020-01-30T10:30:47.524219Z', '2024-12-31T23:59:59.999999Z', '2000-02-29T00:00:00.000000Z']) {
      const emitted = formatNgshareTimestamp(t);
      assert.ok(!emitted.includes('+'));
      assert.equal(parseNgshareTimestamp(emitted), t);
      assert.equal(parseNgshareTimestamp(`${emitted} UTC`), t);
    }
  });
});

describe('ngshare timestamp matching (§4.3)', () => {
  const stored = '2020-01-30T10:30:47.500000Z';
  it('matches by value, whatever the spelling', () => {
    for (const sent of ['2020-01-30 10:30:47.500000', '2020-01-30 10:30:47.5', '2020-01-30 10:30:47.50 UTC', '2020-1-30 10:30:47.5 gmt']) {
      assert.ok(ngshareTimestampMatches(stored, sent), sent);
    }
  });
  it('does not match another microsecond or an unparseable value', () => {
    assert.ok(!ngshareTimestampMatches(stored, '2020-01-30 10:30:47.500001'));
    assert.ok(!ngshareTimestampMatches(stored, '2020-01-30 10:30:47'));
    assert.ok(!ngshareTimestampMatches(stored, '2020-01-30T10:30:47.5Z'));
  });
});
