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
