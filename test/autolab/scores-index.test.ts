import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import type { TestServer } from '../helpers/harness.ts';
import type { Cast } from './course.ts';
import { makeAutolabCourse } from './course.ts';
import type { Person } from './fixture.ts';
import { api, autolabServer, handin, person } from './fixture.ts';

const HW1 = '/courses/sys/assessments/hw1';
const enc = encodeURIComponent;

describe('autolab: the scores index never merges two users under one key', () => {
  let server: TestServer;
  let cast: Cast;
  let noEmailA: Person;
  let noEmailB: Person;
  let twinA: Person;
  let twinB: Person;

  before(async () => {
    server = await autolabServer({ clock: new ManualClock('2025-01-10T12:00:00Z') });
    cast = await makeAutolabCourse(server);
    const enrolled = (email: string) => person(server, cast.mint, { courseId: cast.courseId, role: 'student', email });
    [noEmailA, noEmailB, twinA, twinB] = [await enrolled(''), await enrolled(''), await enrolled('twin@example.com'), await enrolled('twin@example.com')];
    for (const [who, text] of [[cast.student, 'one'], [noEmailA, 'two'], [noEmailB, 'three'], [twinA, 'four'], [twinB, 'five']] as const) {
      const res = await api(server, who.token).post(`${HW1}/submit`, { multipart: handin(text) });
      assert.equal(res.status, 200, res.text);
    }
  });
  after(async () => server?.close());

  it('keys a submitter without an email, or sharing one, by username; a unique email stays the key', async () => {
    const res = await api(server, cast.instructor.token).get(`${HW1}/scores`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), [cast.student.email, noEmailA.username, noEmailB.username, twinA.username, twinB.username].sort());
    assert.equal('' in res.body, false, 'no empty key');
    assert.equal('twin@example.com' in res.body, false, 'a shared email names nobody');
    for (const key of Object.keys(res.body)) assert.deepEqual(res.body[key], { '1': {} }, `${key}: one version each`);
  });

  it('answers scores/{key} and update_latest for every key of the index, under that key', async () => {
    const inst = api(server, cast.instructor.token);
    for (const [who, score] of [[noEmailA, 1], [noEmailB, 2], [twinA, 3], [twinB, 4]] as const) {
      const res = await inst.put(`${HW1}/scores/${enc(who.username)}/update_latest?problems=${enc(JSON.stringify({ Correctness: score }))}`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { [who.username]: { Correctness: score } });
    }
    const index = (await inst.get(`${HW1}/scores`)).body;
    for (const [who, score] of [[noEmailA, 1], [noEmailB, 2], [twinA, 3], [twinB, 4]] as const) assert.deepEqual(index[who.username], { '1': { Correctness: score } });
    const one = await inst.get(`${HW1}/scores/${enc(noEmailB.username)}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.text, '{"1":{"Correctness":2.0}}');
    const outsider = await inst.get(`${HW1}/scores/${enc(cast.outsider.username)}`);
    assert.deepEqual([outsider.status, outsider.body], [400, { error: `User with email ${cast.outsider.username} not found in course.` }]);
  });
});
