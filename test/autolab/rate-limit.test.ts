import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../helpers/harness.ts';
import { call } from '../helpers/http.ts';
import type { Cast } from './course.ts';
import { makeAutolabCourse } from './course.ts';
import { api, autolabServer, handin } from './fixture.ts';

describe('autolab: rate limits per user, whatever carries the token; a configured time zone', () => {
  let server: TestServer;
  let cast: Cast;

  before(async () => {
    server = await autolabServer({ env: { ASSAY_AUTOLAB_API_REQUESTS: '5', ASSAY_AUTOLAB_SUBMIT_REQUESTS: '2', ASSAY_AUTOLAB_TIME_ZONE: 'America/New_York' } });
    cast = await makeAutolabCourse(server);
  });
  after(() => server.close());

  it('counts API requests per user across the header and the query parameter, answering upstream’s 429', async () => {
    const t = cast.student.token;
    for (let i = 0; i < 3; i++) assert.equal((await api(server, t).get('/user')).status, 200);
    assert.equal((await call(server.app, 'GET', `/api/v1/user?access_token=${t}`)).status, 200);
    // Another token of the same user shares the budget.
    assert.equal((await api(server, await cast.student.tokenWith(['user_info'])).get('/user')).status, 200);
    const refused = await call(server.app, 'GET', `/api/v1/courses?access_token=${t}`);
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.body, { error: 'Too Many Requests. Retry Later.' });
    assert.equal(refused.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(refused.headers['x-ratelimit-limit'], '5');
    assert.equal(refused.headers['x-ratelimit-remaining'], '0');
    const reset = Number(refused.headers['x-ratelimit-reset']);
    assert.ok(reset > Date.now() / 1000 && reset <= Date.now() / 1000 + 31, String(reset));
    // Other users keep their own budget; bad tokens are 401, never counted against anyone.
    assert.equal((await api(server, cast.student2.token).get('/user')).status, 200);
    assert.equal((await api(server, 'bogus').get('/user')).status, 401);
  });

  it('limits submissions separately', async () => {
    const t = cast.instructor.token; // exempt from the end date (the real clock is past it), not from the rate limits
    assert.equal((await api(server, t).post('/courses/sys/assessments/hw1/submit', { multipart: handin('1') })).status, 200);
    assert.equal((await api(server, t).post('/courses/sys/assessments/hw1/submit', { multipart: handin('2') })).status, 200);
    const third = await api(server, t).post('/courses/sys/assessments/hw1/submit', { multipart: handin('3') });
    assert.deepEqual([third.status, third.body], [429, { error: 'Too Many Requests. Retry Later.' }]);
    assert.equal(third.headers['x-ratelimit-limit'], '2');
    // Other endpoints are still within the API budget.
    assert.equal((await api(server, t).get('/courses/sys/assessments/hw1/submissions')).status, 200);
  });

  it('renders date-times in the configured zone, with its numeric offset', async () => {
    const list = await api(server, cast.assistant.token).get('/courses/sys/assessments');
    const hw1 = list.body.find((a: { name: string }) => a.name === 'hw1');
    assert.deepEqual([hw1.start_at, hw1.due_at], ['2025-01-04T19:00:00.000-05:00', '2025-01-20T18:59:00.000-05:00']);
  });
});
