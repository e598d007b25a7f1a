import type { ClearanceLevel } from '../../src/core/actor.ts';
import type { TestServer } from './harness.ts';
import type { Client } from './http.ts';
import { call, client } from './http.ts';

export const PASSWORD = 'correct horse battery staple';

let counter = 0;
const unique = (prefix: string) => `${prefix}${++counter}_${process.pid}`;

/** Creates an account directly through the core (as `assay user create` does). */
export async function makeUser(server: TestServer, clearance: ClearanceLevel, username = unique(`u${clearance}_`)) {
  const row = await server.services.users.createTrusted({ username, password: PASSWORD, clearance, first_name: 'First', last_name: username });
  return row;
}

export async function login(server: TestServer, username: string, password = PASSWORD): Promise<string> {
  const res = await call(server.app, 'POST', '/api/core/token/', { json: { username, password } });
  if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${res.text}`);
  return res.body.access as string;
}

/** A user with a logged-in client. */
export async function actorClient(server: TestServer, clearance: ClearanceLevel): Promise<{ id: number; username: string; api: Client }> {
  const user = await makeUser(server, clearance);
  return { id: user.id, username: user.username, api: client(server.app, await login(server, user.username)) };
}

/** The core's view of an admin, for building fixtures through the services. */
export async function adminActor(server: TestServer) {
  const admin = await makeUser(server, 5);
  return { id: admin.id, username: admin.username, clearance: 5 as const };
}

/** A program (course) with one subject and one module, built through the core services. */
export async function makeCourseTree(server: TestServer, name = unique('Program ')) {
  const admin = await adminActor(server);
  const checker = await makeUser(server, 2);
  const program = await server.services.programs.create(admin, { name, checker_id: checker.id });
  const subject = await server.services.subjects.create(admin, { course_id: program.id, symbol: 'S1', name: 'Basics', color: '#112233' });
  const module = await server.services.modules.create(admin, { subject_id: subject.id, name: 'Loops', order: '1' });
  return { admin, checker, program, subject, module };
}

/** A student of `programId` (clearance 1, with number and program as Hive requires). */
export async function makeStudent(server: TestServer, programId: number, number = ++counter) {
  const admin = await adminActor(server);
  const user = await server.services.users.create(admin, {
    username: unique('student_'),
    password: PASSWORD,
    clearance: 1,
    gender: 'Female',
    number,
    program: programId,
    status: 'Present',
    first_name: 'Stu',
    last_name: 'Dent',
  });
  return { id: user.id, username: user.username, api: client(server.app, await login(server, user.username)) };
}

/** An exercise in module `moduleId`, built through the core (Hive's defaults unless `input` says otherwise). */
export async function makeExercise(server: TestServer, moduleId: number, input: Partial<Parameters<TestServer['services']['exercises']['create']>[1]> = {}) {
  const admin = await adminActor(server);
  return server.services.exercises.create(admin, { name: unique('Exercise '), ...input, module_id: moduleId });
}

/**
 * The usual cast of a permission test: program A (with its checker) and program B, a staff
 * member, an admin, A's checker, a checker of neither, an instructor of A, and a student of each.
 */
export async function makeCast(server: TestServer, nameA: string, nameB: string) {
  const A = await makeCourseTree(server, nameA);
  const B = await makeCourseTree(server, nameB);
  const staff = (await actorClient(server, 3)).api;
  const admin = (await actorClient(server, 5)).api;
  const checkerA = client(server.app, await login(server, A.checker.username));
  const otherChecker = (await actorClient(server, 2)).api;
  const inst = await actorClient(server, 2);
  await server.services.programs.enroll(await adminActor(server), A.program.id, inst.id, 'instructor');
  const studentA = (await makeStudent(server, A.program.id)).api;
  const studentB = (await makeStudent(server, B.program.id)).api;
  return { A, B, staff, admin, checkerA, otherChecker, instructor: inst.api, studentA, studentB };
}
