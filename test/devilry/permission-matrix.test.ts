import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminActor, makeUser } from '../helpers/fixtures.ts';
import { engineUnderTest } from '../helpers/harness.ts';
import type { MatrixRow } from '../helpers/matrix.ts';
import { statuses, wrongCells } from '../helpers/matrix.ts';
import type { DevilryClient, World } from './world.ts';
import { buildWorld, devilryClient, devilryLogin } from './world.ts';

/**
 * Devilry's simplified REST API: each route × each caller. Callers: nobody (no session), a user
 * with no part in the period, a candidate (student), an examiner of the group, a teacher (staff
 * teaching the period's course), staff teaching nothing, and a superuser. The URL's role is the
 * part the caller claims; the core decides whether they have it. Devilry answers a missing login
 * and an object the caller may not see alike: 403.
 */
const CALLERS = ['anonymous', 'outsider', 'student', 'examiner', 'teacher', 'staff', 'superuser'] as const;
type Caller = (typeof CALLERS)[number];
const url = (role: string, model: string, id: number | '' = '') => `/${role}/restfulsimplified${model}/${id}`;

describe(`Devilry permission matrix (each caller × each route), on ${engineUnderTest}`, () => {
  let world: World;
  const clients: Partial<Record<Caller, DevilryClient>> = {};
  const as = (who: Caller) => clients[who]!;

  before(async () => {
    world = await buildWorld();
    const { server } = world;
    const root = await adminActor(server);
    clients.anonymous = devilryClient(server, null);
    clients.outsider = await devilryLogin(server, (await makeUser(server, 1)).username);
    clients.student = await devilryLogin(server, world.users.alice.username);
    clients.examiner = await devilryLogin(server, world.users.ex1.username);
    const teacher = await makeUser(server, 3);
    await server.services.enrolment.enrol(root, { id: world.hierarchy.period }, [teacher.username], 'instructor');
    clients.teacher = await devilryLogin(server, teacher.username);
    clients.staff = await devilryLogin(server, (await makeUser(server, 3)).username);
    clients.superuser = await devilryLogin(server, (await makeUser(server, 5)).username);
  });
  after(() => world?.server.close());

  it('answers every caller of every route as the core decides', async () => {
    const s = (...codes: number[]) => statuses(CALLERS, codes);
    const { groups, hierarchy, deliveries } = world;
    let n = 0;
    const rows: MatrixRow<Caller>[] = [
      { name: 'search examiner groups (filtered, never refused)', expect: s(403, 200, 200, 200, 200, 200, 200), call: (who) => as(who).get(url('examiner', 'assignmentgroup'), {}) },
      { name: 'read a group as its candidate', expect: s(403, 403, 200, 403, 403, 403, 403), call: (who) => as(who).get(url('student', 'assignmentgroup', groups.g1)) },
      { name: 'read a group as its examiner', expect: s(403, 403, 403, 200, 403, 403, 403), call: (who) => as(who).get(url('examiner', 'assignmentgroup', groups.g1)) },
      { name: 'read a group as administrator', expect: s(403, 403, 403, 403, 200, 403, 200), call: (who) => as(who).get(url('administrator', 'assignmentgroup', groups.g1)) },
      { name: 'read a delivery as its candidate', expect: s(403, 403, 200, 403, 403, 403, 403), call: (who) => as(who).get(url('student', 'delivery', deliveries.del11)) },
      { name: 'read the period as administrator', expect: s(403, 403, 403, 403, 200, 403, 200), call: (who) => as(who).get(url('administrator', 'period', hierarchy.period)) },
      {
        name: 'update a group as its examiner',
        expect: s(403, 403, 403, 200, 403, 403, 403),
        call: (who) => as(who).put(url('examiner', 'assignmentgroup', groups.g1), { is_open: true }),
      },
      {
        name: 'create a deadline as examiner',
        expect: s(403, 403, 403, 201, 403, 403, 403),
        call: (who) => as(who).post(url('examiner', 'deadline'), { assignment_group: groups.g2, deadline: '2024-05-01T12:00:00', text: `by ${who}` }),
      },
      {
        name: 'create a node as administrator (superusers only)',
        expect: s(403, 403, 403, 403, 403, 403, 201),
        call: (who) => as(who).post(url('administrator', 'node'), { short_name: `n${++n}`, long_name: `Node of ${who}` }),
      },
    ];
    const wrong: string[] = await wrongCells(CALLERS, rows);
    assert.deepEqual(wrong, []);
  });
});

