// The scene the browser tests and `npm run bench:web` play in: the real server with the built web
// app, listening on a free port, the example course synced, a student and two checkers of it.
import path from 'node:path';
import { syncCourseDirectory } from '../../src/core/courses/course-sync.ts';
import { OPERATOR } from '../../src/core/enrolment/enrolment.service.ts';
import { createSandboxRunner } from '../../src/grading/engine/runner.ts';
import { startWorkerPool } from '../../src/grading/queue/index.ts';
import type { WorkerPool } from '../../src/grading/queue/index.ts';
import { PASSWORD } from '../helpers/fixtures.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { builtWebApp, ROOT } from './browser.ts';

export const EXAMPLE = path.join(ROOT, 'examples', 'intro-python');

export interface Person {
  id: number;
  username: string;
  password: string;
}

export interface Scene {
  server: TestServer;
  /** http://127.0.0.1:<port> */
  base: string;
  courseId: number;
  exercises: Record<string, number>;
  student: Person;
  checkers: [Person, Person];
  startGrading(): void;
  close(): Promise<void>;
}

/** The server starts with no grading workers: startGrading() starts them (real sandbox), as `assay serve` runs them. */
export async function startScene(): Promise<Scene> {
  const server = await startTestServer({ webDir: await builtWebApp() });
  const { courseId } = await syncCourseDirectory(server.services, EXAMPLE);
  const rows = await server.services.db.selectFrom('exercises').select(['id', 'slug']).where('course_id', '=', courseId).execute();
  const person = async (clearance: 1 | 2, role: 'student' | 'checker', name: string): Promise<Person> => {
    const user = await server.services.users.createTrusted({ username: `${name}_${process.pid}`, password: PASSWORD, clearance, first_name: name[0]!.toUpperCase() + name.slice(1), last_name: 'Tester' });
    await server.services.enrolment.enrol(OPERATOR, { id: courseId }, [user.username], role);
    return { id: user.id, username: user.username, password: PASSWORD };
  };
  const student = await person(1, 'student', 'sam');
  const checkers: [Person, Person] = [await person(2, 'checker', 'chris'), await person(2, 'checker', 'kim')];
  let pool: WorkerPool | null = null;
  const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    server,
    base: address,
    courseId,
    exercises: Object.fromEntries(rows.map((r) => [r.slug, r.id])),
    student,
    checkers,
    startGrading() {
      pool ??= startWorkerPool(server.services.grading, createSandboxRunner(server.services), server.services.config, { concurrency: 2 });
    },
    async close() {
      await pool?.stop();
      await server.close();
    },
  };
}


