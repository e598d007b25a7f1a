/** A small Devilry world for the dialect's tests, built through the core services. */
import { ManualClock } from '../../src/core/clock.ts';
import type { TestServer } from '../helpers/harness.ts';
import { startTestServer } from '../helpers/harness.ts';
import { adminActor, makeUser, PASSWORD } from '../helpers/fixtures.ts';
import assert from 'node:assert/strict';
import type { Reply, RequestOptions } from '../helpers/http.ts';
import { call } from '../helpers/http.ts';

export const JSON_TYPE = 'application/json; charset=utf-8';

/** Logs in through `POST /authenticate/login` and returns a client replaying the cookie, as devilryrestfullib does. */
export async function devilryLogin(server: TestServer, username: string, password = PASSWORD) {
  const res = await call(server.app, 'POST', '/authenticate/login', { form: { username, password } });
  if (res.status !== 302) throw new Error(`login of ${username} failed: ${res.status} ${res.text}`);
  const cookie = String(res.headers['set-cookie']).split(';')[0]!;
  return devilryClient(server, cookie);
}

export function devilryClient(server: TestServer, cookie: string | null) {
  const go = (method: string) => (url: string, body?: unknown, options: RequestOptions = {}): Promise<Reply> =>
    call(server.app, method, url, {
      ...(body === undefined ? {} : { raw: typeof body === 'string' ? body : JSON.stringify(body) }),
      ...options,
      headers: {
        accept: 'application/json',
        // devilryrestfullib's urllib2 labels its JSON bodies as a form.
        ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        ...(cookie ? { cookie } : {}),
        ...options.headers,
      },
    });
  return { get: go('GET'), post: go('POST'), put: go('PUT'), delete: go('DELETE'), patch: go('PATCH'), cookie };
}
export type DevilryClient = ReturnType<typeof devilryClient>;

export const GROUPS = '/examiner/restfulsimplifiedassignmentgroup/';

/** A 200 in Devilry's content type. */
export function ok(res: Reply): Reply {
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers['content-type'], JSON_TYPE);
  return res;
}

/** The ids of a search answer's items, in order. */
export const ids = (res: Reply): number[] => ok(res).body.items.map((i: { id: number }) => i.id);

/** An error answer: its status and its whole JSON body. */
export function fails(res: Reply, status: number, body: unknown): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.headers['content-type'], JSON_TYPE);
  assert.deepEqual(res.body, body);
}

export async function buildWorld() {
  const clock = new ManualClock('2024-02-01T10:00:00.000000Z');
  const server = await startTestServer({ clock });
  const admin = await adminActor(server);
  const h = server.services.examination.hierarchy;
  const ex = server.services.examination.examining;
  const user = async (name: string, first: string, last: string) => {
    const row = await makeUser(server, 1, name);
    await server.services.db.updateTable('users').set({ first_name: first, last_name: last, email: `${name}@example.com` }).where('id', '=', row.id).execute();
    return { ...row, actor: { id: row.id, username: row.username, clearance: 1 as const } };
  };
  const tag = `${process.pid}${Math.floor(Math.random() * 1e6)}`;
  const ex1 = await user(`ex1_${tag}`, 'Eva', 'Examiner');
  const ex2 = await user(`ex2_${tag}`, 'Emil', 'Examiner');
  const alice = await user(`alice_${tag}`, 'Alice', 'Smith');
  const bob = await user(`bob_${tag}`, 'Bob', 'Jones');
  const carol = await user(`carol_${tag}`, 'Carol', 'Quux');
  const dave = await user(`dave_${tag}`, 'Dave', 'Zed');

  const node = await h.createNode(admin, { shortName: 'uio', longName: 'University' });
  const subject = await h.createSubject(admin, { nodeId: node, shortName: `inf1000_${tag}`, longName: 'Programming Intro' });
  const period = await h.createPeriod(admin, {
    subjectId: subject,
    shortName: `spring_${tag}`,
    longName: 'Spring Term',
    startTime: '2024-01-01T00:00:00.000000Z',
    endTime: '2024-06-30T00:00:00.000000Z',
  });
  const assignment = (shortName: string, longName: string, anonymous: boolean, publishingTime = '2024-01-10T00:00:00.000000Z') =>
    h.createAssignment(admin, { periodId: period, shortName, longName, publishingTime, anonymous, deliveryTypes: 0, scalePointsPercent: 100 });
  const a1 = await assignment('oblig1', 'Obligatory One', false);
  const a2 = await assignment('oblig2', 'Obligatory Two', true);
  const a3 = await assignment('oblig3', 'Future Work', false, '2030-01-01T00:00:00.000000Z');

  const g1 = await h.createGroup(admin, { assignmentId: a1, name: 'Group One', candidates: [{ username: alice.username }, { username: bob.username }], examiners: [ex1.username], tags: ['first', 'pair'] });
  const g2 = await h.createGroup(admin, { assignmentId: a1, name: 'Solo Carol', candidates: [{ username: carol.username }], examiners: [ex1.username, ex2.username], tags: ['solo'] });
  const g3 = await h.createGroup(admin, { assignmentId: a1, name: 'Dave Alone', candidates: [{ username: dave.username }], examiners: [ex2.username] });
  const g4 = await h.createGroup(admin, { assignmentId: a2, name: 'Anon A', candidates: [{ username: alice.username, candidateId: 'A-17' }], examiners: [ex1.username] });
  const g5 = await h.createGroup(admin, { assignmentId: a2, name: 'Anon B', isOpen: false, candidates: [{ username: bob.username }], examiners: [ex1.username] });
  const g6 = await h.createGroup(admin, { assignmentId: a3, name: 'Hidden', candidates: [{ username: carol.username }], examiners: [ex1.username] });

  // g1: two deadlines, two deliveries by alice, feedback on each (the newer supersedes).
  const examiner = ex1.actor;
  const d11 = await ex.createDeadline(examiner, 'examiner', { assignment_group: g1, deadline: '2024-03-01T12:00:00', text: 'First' });
  const d12 = await ex.createDeadline(examiner, 'examiner', { assignment_group: g1, deadline: '2024-03-15T12:00:00', text: 'Second' });
  clock.set('2024-02-20T09:00:00.000000Z');
  const del11 = await ex.createDelivery(alice.actor, 'student', { deadline: d11 });
  clock.set('2024-03-10T09:15:30.000000Z');
  const del12 = await ex.createDelivery(alice.actor, 'student', { deadline: d12 });
  const f11 = await ex.createFeedback(examiner, 'examiner', { delivery: del11, grade: 'F', points: 10, is_passing_grade: false, rendered_view: '<p>Redo</p>' });
  clock.set('2024-03-16T10:00:00.000000Z');
  const f12 = await ex.createFeedback(examiner, 'examiner', { delivery: del12, grade: 'A', points: 90, is_passing_grade: true, rendered_view: '<p>Good work</p>' });
  // g2: one deadline, one delivery, feedback B.
  const d21 = await ex.createDeadline(examiner, 'examiner', { assignment_group: g2, deadline: '2024-03-10T08:30:00' });
  clock.set('2024-03-09T08:00:00.000000Z');
  const del21 = await ex.createDelivery(carol.actor, 'student', { deadline: d21 });
  const f21 = await ex.createFeedback(examiner, 'examiner', { delivery: del21, grade: 'B', points: 75, is_passing_grade: true, rendered_view: '<p>Fine</p>' });
  // g4: a deadline, no deliveries. g5: nothing.
  const d41 = await ex.createDeadline(examiner, 'examiner', { assignment_group: g4, deadline: '2024-04-01T00:00:00' });
  clock.set('2024-04-02T00:00:00.000000Z');

  return {
    server,
    clock,
    users: { ex1, ex2, alice, bob, carol, dave },
    hierarchy: { node, subject, period, a1, a2, a3 },
    groups: { g1, g2, g3, g4, g5, g6 },
    deadlines: { d11, d12, d21, d41 },
    deliveries: { del11, del12, del21 },
    feedback: { f11, f12, f21 },
    tag,
  };
}
export type World = Awaited<ReturnType<typeof buildWorld>>;
