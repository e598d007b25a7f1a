import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Clearance } from '../../src/core/actor.ts';
import type { Clock } from '../../src/core/clock.ts';
import { syncCourseDirectory } from '../../src/core/courses/course-sync.ts';
import { OAUTH_SCOPES } from '../../src/core/oauth/index.ts';
import { ensureAdmin } from '../../src/runtime.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { makeUser } from '../helpers/fixtures.ts';
import type { Reply, RequestOptions } from '../helpers/http.ts';
import { call } from '../helpers/http.ts';

export const ALL_SCOPES = [...OAUTH_SCOPES];
export const CLI_SCOPES = ['user_info', 'user_courses', 'user_scores', 'user_submit'];

/** A test server for the Autolab dialect, rate limits off unless the test sets them. */
export function autolabServer(options: { clock?: Clock; env?: Record<string, string> } = {}): Promise<TestServer> {
  return startTestServer({ clock: options.clock, env: { ASSAY_AUTOLAB_API_REQUESTS: '0', ASSAY_AUTOLAB_SUBMIT_REQUESTS: '0', ...options.env } });
}

export interface ExerciseSpec {
  slug: string;
  yaml: string;
  /** Folder → file → content (`handout`, `preview`, `grader`). */
  trees?: Record<string, Record<string, string>>;
}

/** Writes a course directory and syncs it through the core (as `assay course sync` does). */
export async function syncCourse(server: TestServer, slug: string, courseYaml: string, exercises: ExerciseSpec[]): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autolab-course-'));
  try {
    fs.writeFileSync(path.join(dir, 'course.yaml'), `slug: ${slug}\n${courseYaml}`);
    for (const e of exercises) {
      fs.mkdirSync(path.join(dir, e.slug));
      fs.writeFileSync(path.join(dir, e.slug, 'exercise.yaml'), e.yaml);
      for (const [folder, files] of Object.entries(e.trees ?? {})) {
        for (const [name, content] of Object.entries(files)) {
          fs.mkdirSync(path.dirname(path.join(dir, e.slug, folder, name)), { recursive: true });
          fs.writeFileSync(path.join(dir, e.slug, folder, name), content);
        }
      }
    }
    await ensureAdmin(server.services);
    const report = await syncCourseDirectory(server.services, dir);
    return report.courseId;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface Person {
  id: number;
  username: string;
  email: string;
  /** An access token with every scope. */
  token: string;
  /** A token with only these scopes. */
  tokenWith(scopes: string[]): Promise<string>;
}

/** OAuth2 tokens minted through the core (a registered client, then issueTokens). */
export async function tokenMinter(server: TestServer) {
  const admin = await makeUser(server, Clearance.admin);
  const client = await server.services.oauth.createClient(
    { id: admin.id, username: admin.username, clearance: Clearance.admin },
    { name: 'autolab-cli', redirectUris: ['http://localhost:3000/device_flow_auth_cb'], scopes: ALL_SCOPES },
  );
  return async (userId: number, scopes: string[] = ALL_SCOPES) => (await server.services.oauth.issueTokens({ clientId: client.id, userId, scopes })).accessToken;
}

let counter = 0;

/** A user with an email and tokens; enrolled in `courseId` with `role` when given. */
export async function person(
  server: TestServer,
  mint: Awaited<ReturnType<typeof tokenMinter>>,
  options: { clearance?: 1 | 2 | 3 | 5; courseId?: number; role?: 'student' | 'checker' | 'instructor'; email?: string } = {},
): Promise<Person> {
  const user = await makeUser(server, options.clearance ?? Clearance.student);
  const email = options.email ?? `p${++counter}.${process.pid}@example.com`;
  await server.services.db.updateTable('users').set({ email }).where('id', '=', user.id).execute();
  if (options.courseId !== undefined) {
    await server.services.db
      .insertInto('enrollments')
      .values({ course_id: options.courseId, user_id: user.id, role: options.role ?? 'student', created_at: server.services.clock.now() })
      .execute();
  }
  return { id: user.id, username: user.username, email, token: await mint(user.id), tokenWith: (scopes) => mint(user.id, scopes) };
}

/** Calls `/api/v1…` with a bearer token (or none). */
export function api(server: TestServer, token: string | null) {
  const go = (method: string) => (url: string, options: RequestOptions = {}): Promise<Reply> =>
    call(server.app, method, `/api/v1${url}`, { ...(token ? { token } : {}), ...options });
  return { get: go('GET'), post: go('POST'), put: go('PUT'), patch: go('PATCH'), delete: go('DELETE') };
}

/** A multipart body with one `submission[file]` part, as autolab-cli sends it. */
export function handin(content: string | Buffer, filename = 'handin.c'): FormData {
  const fd = new FormData();
  fd.append('submission[file]', new Blob([typeof content === 'string' ? content : new Uint8Array(content)], { type: 'application/octet-stream' }), filename);
  return fd;
}
