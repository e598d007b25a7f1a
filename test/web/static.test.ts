// The web app served at `/`: its files, index.html for the app's own paths and a browser's page
// requests elsewhere (the history fallback), while `/api/…` and every dialect keep their own
// answers, with ngshare at its default prefix and at `/`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';

const INDEX = '<!doctype html><title>Assay test app</title><div id="root"></div>';
const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

function fakeBuild(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-web-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), INDEX);
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  return dir;
}

for (const ngsharePrefix of ['/api/', '/']) {
  describe(`web app at / (ngshare at ${ngsharePrefix})`, () => {
    let server: TestServer;
    let webDir: string;
    before(async () => {
      webDir = fakeBuild();
      server = await startTestServer({ webDir, env: { ASSAY_NGSHARE_PREFIX: ngsharePrefix } });
    });
    after(async () => {
      await server.close();
      fs.rmSync(webDir, { recursive: true, force: true });
    });
    const get = (url: string, headers: Record<string, string> = {}) => server.app.inject({ method: 'GET', url, headers });

    test('/ and the app\'s own paths answer index.html, asked for again each time', async () => {
      for (const url of ['/', '/sign-in', '/c/12', '/e/3', '/s/99', '/help/4', '/inbox', '/check/7']) {
        const answer = await get(url, HTML);
        assert.equal(answer.statusCode, 200, url);
        assert.match(String(answer.headers['content-type']), /^text\/html/, url);
        assert.equal(answer.body, INDEX, url);
        assert.equal(answer.headers['cache-control'], 'no-cache', url);
        assert.match(String(answer.headers['content-security-policy']), /script-src 'self'/, url);
        assert.equal(answer.headers['x-frame-options'], 'DENY', url);
        assert.equal(answer.headers['x-content-type-options'], 'nosniff', url);
      }
    });

    test('built assets are served and cached for good', async () => {
      const answer = await get('/assets/index-abc123.js');
      assert.equal(answer.statusCode, 200);
      assert.equal(answer.body, 'console.log(1)');
      assert.match(String(answer.headers['cache-control']), /immutable/);
    });

    test('the API, health and ngshare keep their own answers', async () => {
      const missing = await get('/api/assay/v1/no-such-thing/', HTML);
      assert.equal(missing.statusCode, 404);
      assert.doesNotMatch(missing.body, /Assay test app/);
      const health = await get('/healthz');
      assert.equal(health.statusCode, 200);
      assert.doesNotMatch(health.body, /Assay test app/);
      const ngshare = await get(`${ngsharePrefix}courses`, HTML);
      assert.match(String(ngshare.headers['content-type']), /json/);
      assert.doesNotMatch(ngshare.body, /Assay test app/);
      const hive = await get('/api/assay/v1/tokens/', HTML);
      assert.equal(hive.statusCode, 401);
    });

    if (ngsharePrefix === '/') {
      test('with ngshare at /, other unknown paths are ngshare\'s 404', async () => {
        const answer = await get('/no/such/page', HTML);
        assert.equal(answer.statusCode, 404);
        assert.deepEqual(answer.json(), { success: false, message: 'Not found' });
      });
    } else {
      test('a browser asking for an unknown page gets the app (it shows its own "not found"); an API client gets a 404', async () => {
        const page = await get('/no/such/page', HTML);
        assert.equal(page.statusCode, 200);
        assert.equal(page.body, INDEX);
        assert.match(String(page.headers['content-security-policy']), /default-src 'self'.*script-src 'self'.*frame-ancestors 'none'/);
        assert.equal(page.headers['x-frame-options'], 'DENY');
        const api = await get('/no/such/page', { accept: 'application/json' });
        assert.equal(api.statusCode, 404);
        assert.doesNotMatch(api.body, /Assay test app/);
        const post = await server.app.inject({ method: 'POST', url: '/no/such/page', headers: HTML });
        assert.equal(post.statusCode, 404);
      });
    }
  });
}

describe('web app not built', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ webDir: path.join(os.tmpdir(), 'assay-no-such-web-dir') });
  });
  after(() => server.close());

  test('/ says how to build it', async () => {
    const answer = await server.app.inject({ method: 'GET', url: '/', headers: HTML });
    assert.equal(answer.statusCode, 200);
    assert.match(answer.body, /npm run build/);
  });
});
