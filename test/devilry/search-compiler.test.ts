import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAssayError } from '../../src/core/errors.ts';
import { examinerGroupSpec } from '../../src/core/examination/groups.resource.ts';
import type { Condition, SearchParams } from '../../src/core/examination/search.ts';
import { checkExactNumber, compileSearch, listParam, parseWireDatetime } from '../../src/core/examination/search.ts';

const compile = (params: SearchParams) => compileSearch(examinerGroupSpec, params);
const conditions = (filter: unknown): Condition[] => compile({ filters: [filter] }).conditions;

function rejects(params: SearchParams, message: string | RegExp, fields?: Record<string, string>): void {
  try {
    compile(params);
  } catch (err) {
    assert.ok(isAssayError(err), String(err));
    assert.equal(err.kind, 'invalid');
    if (fields) {
      assert.deepEqual(Object.fromEntries((err.details.fields ?? []).map((f) => [f.field, f.message])), fields);
    } else if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return;
  }
  assert.fail(`expected ${String(message)}`);
}

describe('search compiler: defaults and paging', () => {
  it('defaults: no words, no filters, order by id, start 0, limit 50, always-returned fields', () => {
    const plan = compile({});
    assert.deepEqual(plan.words, []);
    assert.deepEqual(plan.conditions, []);
    assert.deepEqual(plan.order, [{ field: 'id', desc: false }]);
    assert.equal(plan.start, 0);
    assert.equal(plan.limit, 50);
    assert.equal(plan.exactNumberOfResults, null);
    assert.deepEqual(plan.fields, examinerGroupSpec.always);
  });

  const paging: [string, SearchParams, Record<string, string> | { start: number; limit: number }][] = [
    ['numbers', { start: 5, limit: 0 }, { start: 5, limit: 0 }],
    ['numeric strings (query string)', { start: '10', limit: '7' }, { start: 10, limit: 7 }],
    ['negative limit', { limit: -1 }, { limit: 'Ensure this value is greater than or equal to 0.' }],
    ['negative start', { start: '-3' }, { start: 'Ensure this value is greater than or equal to 0.' }],
    ['fractional limit', { limit: 1.5 }, { limit: 'Enter a whole number.' }],
    ['word start', { start: 'abc' }, { start: 'Enter a whole number.' }],
    ['both bad', { start: 'x', limit: -2 }, { start: 'Enter a whole number.', limit: 'Ensure this value is greater than or equal to 0.' }],
    ['bad exact_number_of_results', { exact_number_of_results: 'one' }, { exact_number_of_results: 'Enter a whole number.' }],
  ];
  for (const [name, params, expected] of paging) {
    it(`paging: ${name}`, () => {
      if ('start' in expected && typeof expected.start === 'number') {
        const plan = compile(params);
        assert.deepEqual({ start: plan.start, limit: plan.limit }, expected);
      } else rejects(params, '', expected as Record<string, string>);
    });
  }
});

describe('search compiler: query words', () => {
  const cases: [unknown, string[]][] = [
    ['', []],
    ['  alpha  ', ['alpha']],
    ['Alpha beta\tgamma\nalpha', ['Alpha', 'beta', 'gamma', 'alpha']],
    ['dup dup', ['dup']],
    [42, ['42']],
    [null, []],
  ];
  for (const [query, words] of cases) it(`query ${JSON.stringify(query)}`, () => assert.deepEqual(compile({ query }).words, words));
});

describe('search compiler: filters by field type and comparison', () => {
  const T = '2024-03-15T12:00:00.000000Z';
  const T1 = '2024-03-15T12:00:01.000000Z';
  const cases: [string, unknown, Condition[]][] = [
    // int
    ['int exact', { field: 'number_of_deliveries', comp: 'exact', value: 2 }, [{ kind: 'compare', field: 'number_of_deliveries', op: '=', value: 2 }]],
    ['int exact from string', { field: 'id', comp: 'exact', value: '17' }, [{ kind: 'compare', field: 'id', op: '=', value: 17 }]],
    ['int iexact', { field: 'id', comp: 'iexact', value: 3 }, [{ kind: 'compare', field: 'id', op: '=', value: 3 }]],
    ['int <', { field: 'feedback__points', comp: '<', value: 50 }, [{ kind: 'compare', field: 'feedback__points', op: '<', value: 50 }]],
    ['int >', { field: 'feedback__points', comp: '>', value: 50 }, [{ kind: 'compare', field: 'feedback__points', op: '>', value: 50 }]],
    ['int <=', { field: 'feedback__points', comp: '<=', value: 50 }, [{ kind: 'compare', field: 'feedback__points', op: '<=', value: 50 }]],
    ['int >=', { field: 'feedback__points', comp: '>=', value: '50' }, [{ kind: 'compare', field: 'feedback__points', op: '>=', value: 50 }]],
    ['int contains', { field: 'feedback__points', comp: 'contains', value: 9 }, [{ kind: 'text', field: 'feedback__points', mode: 'contains', value: '9' }]],
    ['int startswith', { field: 'id', comp: 'startswith', value: '1' }, [{ kind: 'text', field: 'id', mode: 'startswith', value: '1' }]],
    ['nullable int none', { field: 'feedback', comp: 'exact', value: 'None' }, [{ kind: 'null', field: 'feedback' }]],
    ['nullable int null', { field: 'feedback', comp: 'exact', value: null }, [{ kind: 'null', field: 'feedback' }]],
    // bool
    ['bool true', { field: 'is_open', comp: 'exact', value: true }, [{ kind: 'compare', field: 'is_open', op: '=', value: true }]],
    ['bool "yes"', { field: 'is_open', comp: 'exact', value: 'YES' }, [{ kind: 'compare', field: 'is_open', op: '=', value: true }]],
    ['bool "true"', { field: 'is_open', comp: 'exact', value: 'true' }, [{ kind: 'compare', field: 'is_open', op: '=', value: true }]],
    ['bool "1"', { field: 'is_open', comp: 'exact', value: '1' }, [{ kind: 'compare', field: 'is_open', op: '=', value: true }]],
    ['bool "no"', { field: 'is_open', comp: 'exact', value: 'no' }, [{ kind: 'compare', field: 'is_open', op: '=', value: false }]],
    ['bool false', { field: 'is_open', comp: 'iexact', value: false }, [{ kind: 'compare', field: 'is_open', op: '=', value: false }]],
    ['nullable bool none', { field: 'feedback__is_passing_grade', comp: 'exact', value: 'none' }, [{ kind: 'null', field: 'feedback__is_passing_grade' }]],
    ['bool icontains', { field: 'is_open', comp: 'icontains', value: 'TRU' }, [{ kind: 'text', field: 'is_open', mode: 'icontains', value: 'TRU' }]],
    // text
    ['text exact', { field: 'feedback__grade', comp: 'exact', value: 'A' }, [{ kind: 'compare', field: 'feedback__grade', op: '=', value: 'A' }]],
    ['text iexact', { field: 'parentnode__short_name', comp: 'iexact', value: 'OBLIG1' }, [{ kind: 'text', field: 'parentnode__short_name', mode: 'iexact', value: 'OBLIG1' }]],
    ['text <', { field: 'parentnode__long_name', comp: '<', value: 'M' }, [{ kind: 'compare', field: 'parentnode__long_name', op: '<', value: 'M' }]],
    ['text contains', { field: 'parentnode__long_name', comp: 'contains', value: 'One' }, [{ kind: 'text', field: 'parentnode__long_name', mode: 'contains', value: 'One' }]],
    ['text icontains', { field: 'parentnode__long_name', comp: 'icontains', value: 'one' }, [{ kind: 'text', field: 'parentnode__long_name', mode: 'icontains', value: 'one' }]],
    ['text startswith', { field: 'parentnode__long_name', comp: 'startswith', value: 'Obl' }, [{ kind: 'text', field: 'parentnode__long_name', mode: 'startswith', value: 'Obl' }]],
    ['text endswith', { field: 'parentnode__long_name', comp: 'endswith', value: 'One' }, [{ kind: 'text', field: 'parentnode__long_name', mode: 'endswith', value: 'One' }]],
    ['nullable text none', { field: 'feedback__grade', comp: 'exact', value: 'none' }, [{ kind: 'null', field: 'feedback__grade' }]],
    ['non-nullable text "none" is the word', { field: 'parentnode__short_name', comp: 'exact', value: 'none' }, [{ kind: 'compare', field: 'parentnode__short_name', op: '=', value: 'none' }]],
    ['to-many text', { field: 'candidates__identifier', comp: 'exact', value: 'bob' }, [{ kind: 'compare', field: 'candidates__identifier', op: '=', value: 'bob' }]],
    // datetime: a wire second is [t, t+1s)
    ['datetime exact', { field: 'latest_deadline_deadline', comp: 'exact', value: '2024-03-15T12:00:00' }, [
      { kind: 'compare', field: 'latest_deadline_deadline', op: '>=', value: T },
      { kind: 'compare', field: 'latest_deadline_deadline', op: '<', value: T1 },
    ]],
    ['datetime <', { field: 'latest_deadline_deadline', comp: '<', value: '2024-03-15T12:00:00' }, [{ kind: 'compare', field: 'latest_deadline_deadline', op: '<', value: T }]],
    ['datetime <=', { field: 'latest_deadline_deadline', comp: '<=', value: '2024-03-15T12:00:00' }, [{ kind: 'compare', field: 'latest_deadline_deadline', op: '<', value: T1 }]],
    ['datetime >', { field: 'latest_deadline_deadline', comp: '>', value: '2024-03-15T12:00:00' }, [{ kind: 'compare', field: 'latest_deadline_deadline', op: '>=', value: T1 }]],
    ['datetime >=', { field: 'latest_deadline_deadline', comp: '>=', value: '2024-03-15 12:00:00' }, [{ kind: 'compare', field: 'latest_deadline_deadline', op: '>=', value: T }]],
    ['datetime startswith', { field: 'latest_deadline_deadline', comp: 'startswith', value: '2024-03' }, [{ kind: 'text', field: 'latest_deadline_deadline', mode: 'startswith', value: '2024-03' }]],
    ['datetime none', { field: 'latest_deadline_deadline', comp: 'iexact', value: 'NONE' }, [{ kind: 'null', field: 'latest_deadline_deadline' }]],
    // ignored and ExtJS forms
    ['empty value ignored', { field: 'feedback__grade', comp: 'exact', value: '  ' }, []],
    ['ExtJS property/value', { property: 'is_open', value: false }, [{ kind: 'compare', field: 'is_open', op: '=', value: false }]],
  ];
  for (const [name, filter, expected] of cases) it(name, () => assert.deepEqual(conditions(filter), expected));

  it('filters combine with AND, and `filter` is the ExtJS alias', () => {
    assert.equal(compile({ filters: [{ field: 'id', comp: '>', value: 1 }, { field: 'id', comp: '<', value: 9 }] }).conditions.length, 2);
    assert.equal(compile({ filter: JSON.stringify([{ property: 'id', value: 4 }]) }).conditions.length, 1);
  });
});

describe('search compiler: errors', () => {
  const names = examinerGroupSpec.filterFields.join(', ');
  const cases: [string, unknown, string][] = [
    ['not an object', 'is_open', 'Invalid filter: "is_open"'],
    ['no field', { comp: 'exact', value: 1 }, 'Invalid filter: {"comp":"exact","value":1}. No "field" specified.'],
    ['no comp', { field: 'id', value: 1 }, 'Invalid filter: {"field":"id","value":1}'],
    ['no value', { field: 'id', comp: 'exact' }, 'Invalid filter: {"field":"id","comp":"exact"}'],
    ['unknown field', { field: 'secret', comp: 'exact', value: 1 }, `Invalid filter fieldname secret in: {"field":"secret","comp":"exact","value":1}. Available filter fieldnames: ${names}`],
    ['field not filterable', { field: 'feedback__rendered_view', comp: 'exact', value: 'x' }, `Invalid filter fieldname feedback__rendered_view in: {"field":"feedback__rendered_view","comp":"exact","value":"x"}. Available filter fieldnames: ${names}`],
    ['unknown comp', { field: 'id', comp: 'regex', value: 1 }, 'Invalid filter: {"field":"id","comp":"regex","value":1}. regex is not a supported "comp".'],
    ['string for int', { field: 'feedback__points', comp: 'exact', value: 'lots' }, 'Value has invalid type for field feedback__points: lots'],
    ['float for int', { field: 'id', comp: '>', value: 1.5 }, 'Value has invalid type for field id: 1.5'],
    ['object for int', { field: 'id', comp: 'exact', value: { a: 1 } }, 'Value has invalid type for field id: {"a":1}'],
    ['null for non-nullable', { field: 'number_of_deliveries', comp: 'exact', value: null }, 'Value has invalid type for field number_of_deliveries: null'],
    ['null with <', { field: 'feedback', comp: '<', value: 'none' }, 'Value has invalid type for field feedback: none'],
    ['bad date-time', { field: 'latest_deadline_deadline', comp: '>', value: '2024-13-01T00:00:00' }, 'Value has invalid type for field latest_deadline_deadline: 2024-13-01T00:00:00'],
    ['date only', { field: 'latest_deadline_deadline', comp: '>', value: '2024-03-01' }, 'Value has invalid type for field latest_deadline_deadline: 2024-03-01'],
    ['number for bool', { field: 'is_open', comp: 'exact', value: 7 }, 'Value has invalid type for field is_open: 7'],
    ['list for text contains', { field: 'parentnode__long_name', comp: 'contains', value: ['a'] }, 'Value has invalid type for field parentnode__long_name: ["a"]'],
  ];
  for (const [name, filter, message] of cases) it(name, () => rejects({ filters: [filter] }, message));

  it('unknown result_fieldgroups is a 400 listing the available ones', () => {
    rejects({ result_fieldgroups: ['users', 'nope'] }, `Invalid result_fieldgroups: nope. Available fieldgroups: ${Object.keys(examinerGroupSpec.fieldgroups).join(', ')}`);
  });

  it('exact_number_of_results checks the total', () => {
    const plan = compile({ exact_number_of_results: 1, limit: 0 });
    checkExactNumber(plan, 1);
    assert.throws(() => checkExactNumber(plan, 2), /^AssayError: Expected 1, got 2\.$/);
  });
});

describe('search compiler: ordering and field groups', () => {
  it('orders by returned fields and the extra ones; unknown names are dropped', () => {
    const plan = compile({ orderby: ['-latest_deadline_deadline', 'bogus', 'candidates__identifier', 'feedback__points'] });
    assert.deepEqual(plan.order, [{ field: 'latest_deadline_deadline', desc: true }, { field: 'candidates__identifier', desc: false }]);
    const withGroup = compile({ orderby: ['feedback__points'], result_fieldgroups: ['feedback'] });
    assert.deepEqual(withGroup.order, [{ field: 'feedback__points', desc: false }]);
  });

  it('the object list `candidates` is never an order', () => {
    assert.deepEqual(compile({ orderby: ['candidates'], result_fieldgroups: ['candidates'] }).order, [{ field: 'id', desc: false }]);
  });

  it('ExtJS sort is used only when orderby is empty', () => {
    assert.deepEqual(compile({ sort: '[{"property":"name","direction":"DESC"}]' }).order, [{ field: 'name', desc: true }]);
    assert.deepEqual(compile({ orderby: ['id'], sort: [{ property: 'name', direction: 'DESC' }] }).order, [{ field: 'id', desc: false }]);
  });

  it('field groups add exactly their fields, after the always-returned ones', () => {
    const plan = compile({ result_fieldgroups: ['feedback', 'users'] });
    assert.deepEqual(plan.fields, [...examinerGroupSpec.always, 'feedback__points', 'feedback__grade', 'feedback__is_passing_grade', 'candidates__identifier']);
  });

  it('list parameters: lists, JSON-encoded lists, and anything else falls back to the default', () => {
    assert.deepEqual(listParam(['a']), ['a']);
    assert.deepEqual(listParam('["a"]'), ['a']);
    assert.equal(listParam('[oops'), null);
    assert.equal(listParam('{"a":1}'), null);
    assert.deepEqual(compile({ filters: 'not json', orderby: 7 }).conditions, []);
  });

  it('wire date-times are UTC seconds', () => {
    assert.equal(parseWireDatetime('2024-02-29T23:59:59'), '2024-02-29T23:59:59.000000Z');
    assert.equal(parseWireDatetime('2023-02-29T00:00:00'), null);
    assert.equal(parseWireDatetime('2024-01-01T24:00:00'), null);
  });
});
