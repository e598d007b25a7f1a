import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SystemUser } from '../../src/core/identity/system-user.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';

/**
 * The autocheck account is created at the first recorded result, inside the transaction that
 * completes the job. Two workers (each with its own SystemUser, as two threads or servers have)
 * recording their first results at once must both succeed, with one account between them: a
 * failure there fails the job's completion, which then waits for its lease and is graded again.
 */
describe('the autocheck account, first asked for by two transactions at once', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  it('both transactions commit and get the same account', async () => {
    const { db, clock, engine } = server.services;
    const workers = [new SystemUser(db, clock, engine), new SystemUser(db, clock, engine)];
    // Both transactions read "no account yet" before either creates it, as two completions at once do.
    let reads = 0;
    let bothRead!: () => void;
    const together = new Promise<void>((resolve) => (bothRead = resolve));
    const ids = await Promise.all(
      workers.map((worker) =>
        db.transaction().execute(async (trx) => {
          await trx.selectFrom('settings').select('value').where('key', '=', 'autocheck_user_id').execute();
          if (++reads === 2 || engine === 'sqlite') bothRead();
          await together;
          return worker.id(trx);
        }),
      ),
    );
    assert.equal(ids[0], ids[1]);
    const accounts = await db.selectFrom('users').select('id').where('username', 'like', 'assay-autocheck%').execute();
    assert.deepEqual(accounts.map((a) => a.id), [ids[0]]);
  });
});
