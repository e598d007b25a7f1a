import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Actor, CourseRole } from '../../src/core/actor.ts';
import { OPERATOR } from '../../src/core/enrolment/enrolment.service.ts';
import { enrolmentPolicy } from '../../src/core/enrolment/policy.ts';
import { isAssayError } from '../../src/core/errors.ts';
import { adminActor, makeUser } from '../helpers/fixtures.ts';
import { engineUnderTest, startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';

const actorOf = (u: { id: number; username: string; clearance: number }) => ({ id: u.id, username: u.username, clearance: u.clearance }) as Actor;

/** Rejects with an AssayError of this kind. */
async function refused(p: Promise<unknown>, kind: string): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    assert.ok(isAssayError(err), String(err));
    assert.equal(err.kind, kind, err.message);
    return err.details;
  }
  assert.fail(`expected ${kind}`);
}

describe('enrolment policy', () => {
  it('lets staff and instructors manage members, checkers read the roster, and hides the course from non-members', () => {
    const who = (clearance: number) => ({ id: 1, username: 'x', clearance }) as Actor;
    // [clearance, role in the course, manages, reads the roster, sees the course]
    const table: [number, CourseRole | null, boolean, boolean, boolean][] = [
      [1, null, false, false, false],
      [1, 'student', false, false, true],
      [2, null, false, false, false],
      [2, 'student', false, false, true],
      [2, 'checker', false, true, true],
      [2, 'instructor', true, true, true],
      [3, null, true, true, true],
      [5, null, true, true, true],
    ];
    for (const [clearance, role, manages, reads, sees] of table) {
      const a = who(clearance);
      assert.deepEqual([enrolmentPolicy.canManageMembers(a, role), enrolmentPolicy.canReadRoster(a, role), enrolmentPolicy.seesCourse(a, role)], [manages, reads, sees], `${clearance} ${role}`);
    }
    assert.deepEqual([enrolmentPolicy.clearanceForNewMember('student'), enrolmentPolicy.clearanceForNewMember('checker'), enrolmentPolicy.clearanceForNewMember('instructor')], [1, 2, 2]);
  });
});

describe(`core enrolment service, on ${engineUnderTest}`, () => {
  let server: TestServer;
  let admin: Actor;
  let course: { id: number; slug: string };

  before(async () => {
    server = await startTestServer();
    admin = await adminActor(server);
    course = await server.services.programs.create(admin, { name: 'Enrolment 101', slug: 'enrol-101' });
  });
  after(async () => server?.close());

  const program = async (userId: number) => (await server.services.db.selectFrom('users').select('program_id').where('id', '=', userId).executeTakeFirstOrThrow()).program_id;

  it('enrols existing users by username with a role, one row each, and the first student course becomes their Hive program', async () => {
    const ann = await makeUser(server, 1);
    const ben = await makeUser(server, 2);
    const members = await server.services.enrolment.enrol(admin, { id: course.id }, [ann.username, ann.username], 'student');
    assert.deepEqual(members.map((m) => [m.username, m.role, m.dropped]), [[ann.username, 'student', false]]);
    assert.equal(await program(ann.id), course.id);
    await server.services.enrolment.enrol(OPERATOR, { slug: 'enrol-101' }, [ben.username], 'checker');
    assert.equal(await program(ben.id), null, 'only students have a program');
    const roster = await server.services.enrolment.roster(admin, { id: course.id });
    assert.deepEqual(roster.map((m) => [m.username, m.role]), [[ann.username, 'student'], [ben.username, 'checker']]);
  });

  it('refuses unknown users and roles, naming each, and writes nothing', async () => {
    const cyd = await makeUser(server, 1);
    const details = await refused(server.services.enrolment.enrol(admin, { id: course.id }, [cyd.username, 'nobody_here', 'ghost'], 'student'), 'invalid');
    assert.deepEqual((details.fields as { field: string }[]).map((f) => f.field), ['usernames.1', 'usernames.2']);
    await refused(server.services.enrolment.enrol(admin, { id: course.id }, [cyd.username], 'teacher'), 'invalid');
    await refused(server.services.enrolment.enrol(admin, { id: course.id }, [], 'student'), 'invalid');
    assert.ok(!(await server.services.enrolment.roster(admin, { id: course.id })).some((m) => m.username === cyd.username));
  });

  it('changes and ends a membership; leaving the program course clears the program', async () => {
    const dee = await makeUser(server, 1);
    await server.services.enrolment.enrol(admin, { id: course.id }, [dee.username], 'student');
    const changed = await server.services.enrolment.update(admin, { id: course.id }, dee.id, { section: 'B', dropped: true });
    assert.deepEqual([changed.section, changed.dropped], ['B', true]);
    assert.equal(await program(dee.id), null, 'a dropped student has no program');
    await server.services.enrolment.update(admin, { id: course.id }, dee.id, { dropped: false });
    assert.equal(await program(dee.id), course.id);
    await server.services.enrolment.remove(admin, { id: course.id }, dee.id);
    assert.equal(await program(dee.id), null);
    await refused(server.services.enrolment.remove(admin, { id: course.id }, dee.id), 'not_found');
    await refused(server.services.enrolment.update(admin, { id: course.id }, dee.id, { role: 'checker' }), 'not_found');
  });

  it('lets staff and the course instructor manage members, its checkers read the roster, and refuses the rest', async () => {
    const [inst, checker, student, outsider, staff] = await Promise.all([makeUser(server, 2), makeUser(server, 2), makeUser(server, 1), makeUser(server, 2), makeUser(server, 3)]);
    await server.services.enrolment.enrol(admin, { id: course.id }, [inst.username], 'instructor');
    await server.services.enrolment.enrol(admin, { id: course.id }, [checker.username], 'checker');
    await server.services.enrolment.enrol(admin, { id: course.id }, [student.username], 'student');
    const target = await makeUser(server, 1);
    await server.services.enrolment.enrol(actorOf(inst), { id: course.id }, [target.username], 'student');
    await server.services.enrolment.enrol(actorOf(staff), { id: course.id }, [target.username], 'student');
    assert.ok((await server.services.enrolment.roster(actorOf(checker), { id: course.id })).length > 0);
    await refused(server.services.enrolment.enrol(actorOf(checker), { id: course.id }, [target.username], 'instructor'), 'forbidden');
    await refused(server.services.enrolment.remove(actorOf(checker), { id: course.id }, target.id), 'forbidden');
    await refused(server.services.enrolment.roster(actorOf(student), { id: course.id }), 'forbidden');
    await refused(server.services.enrolment.enrol(actorOf(student), { id: course.id }, [student.username], 'instructor'), 'forbidden');
    await refused(server.services.enrolment.importRoster(actorOf(student), { id: course.id }, 'username\nx\n', { preview: true }), 'forbidden');
    await refused(server.services.enrolment.roster(actorOf(outsider), { id: course.id }), 'not_found');
    await refused(server.services.enrolment.roster(admin, { slug: 'no-such-course' }), 'not_found');
  });
});

describe(`core roster import, on ${engineUnderTest}`, () => {
  let server: TestServer;
  let admin: Actor;
  let course: { id: number };

  before(async () => {
    server = await startTestServer();
    admin = await adminActor(server);
    course = await server.services.programs.create(admin, { name: 'Roster 101', slug: 'roster-101' });
  });
  after(async () => server?.close());

  const userCount = async () => server.services.users.count();

  it('lists every bad row by line and column and writes nothing', async () => {
    await server.services.users.createTrusted({ username: 'taken_mail', password: 'x'.repeat(12), clearance: 1, email: 'taken@example.org' });
    const before = await userCount();
    const csv = [
      'username,email,first_name,last_name,role',
      'good_one,good@example.org,Good,One,student',
      'bad name,,A,B,student',
      'good_two,not-an-email,C,D,checker',
      'good_three,TAKEN@example.org,E,F,',
      'good_one,,G,H,student',
      'good_four,,I,J,professor',
      'good_five,GOOD@example.org,K,L,student',
    ].join('\n');
    for (const preview of [true, false]) {
      const report = await server.services.enrolment.importRoster(admin, { id: course.id }, csv, { preview });
      assert.deepEqual(
        report.problems.map((p) => `${p.line}:${p.column}`),
        ['3:username', '4:email', '5:email', '6:username', '7:role', '8:email'],
      );
    }
    assert.equal(await userCount(), before);
    assert.deepEqual(await server.services.enrolment.roster(admin, { id: course.id }), []);
  });

  it('reports a file it cannot read, an unknown column and a short row', async () => {
    for (const [csv, line] of [['username,email\n"open,x\n', 2], ['username,nickname\nann,a\n', 1], ['username,email\nann\n', 2], ['', 1]] as const) {
      const report = await server.services.enrolment.importRoster(admin, { id: course.id }, csv, { preview: false });
      assert.equal(report.problems.length, 1, JSON.stringify(report));
      assert.equal(report.problems[0]!.line, line, csv);
    }
  });

  it('previews without writing, then applies in one go: new accounts with one-time passwords, existing ones enrolled', async () => {
    const existing = await makeUser(server, 2);
    const csv = `\uFEFFUsername,Email,First Name,Last Name,Role\r\nnew_ann,ann@example.org,Ann,"Lee, Jr",\r\n${existing.username},,,,instructor\r\nnew_bob,,Bob,B,checker\r\n`;
    const before = await userCount();
    const preview = await server.services.enrolment.importRoster(admin, { id: course.id }, csv, { preview: true });
    assert.deepEqual(preview.problems, []);
    assert.deepEqual(preview.rows.map((r) => [r.line, r.username, r.role, r.action, r.password]), [
      [2, 'new_ann', 'student', 'create', undefined],
      [3, existing.username, 'instructor', 'enrol', undefined],
      [4, 'new_bob', 'checker', 'create', undefined],
    ]);
    assert.equal(await userCount(), before, 'a preview writes nothing');

    const applied = await server.services.enrolment.importRoster(admin, { id: course.id }, csv, { preview: false });
    assert.deepEqual(applied.rows.map((r) => [r.username, r.action, typeof r.password]), [['new_ann', 'create', 'string'], [existing.username, 'enrol', 'undefined'], ['new_bob', 'create', 'string']]);
    const ann = (await server.services.users.byUsername('new_ann'))!;
    assert.deepEqual([ann.email, ann.first_name, ann.last_name, ann.clearance, ann.program_id], ['ann@example.org', 'Ann', 'Lee, Jr', 1, course.id]);
    assert.equal((await server.services.users.byUsername('new_bob'))!.clearance, 2);
    assert.ok(await server.services.users.authenticate('new_ann', applied.rows[0]!.password!), 'the printed password signs in');

    const again = await server.services.enrolment.importRoster(admin, { id: course.id }, csv, { preview: false });
    assert.deepEqual(again.rows.map((r) => r.action), ['unchanged', 'unchanged', 'unchanged']);
    assert.equal(await userCount(), before + 2);
  });
});
