import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { byCodePoint } from '../../src/core/exchange/exchange-courses.service.ts';
import { argsFrom } from '../../src/dialects/ngshare/args.ts';
import { cleanArgument } from '../../src/dialects/ngshare/form-fields.ts';
import { ngshareFrameworkError, ngsharePrefixes } from '../../src/dialects/ngshare/plugin.ts';

describe('ngshare configuration', () => {
  it('defaults to /api/ with Assay tokens and no extra admins', () => {
    const config = loadConfig({ ASSAY_DATA_DIR: '/tmp/x' });
    assert.equal(config.ngsharePrefix, '/api/');
    assert.equal(config.ngshareAuth, 'assay');
    assert.deepEqual(config.ngshareAdmins, []);
    assert.equal(config.ngshareDebugMessages, false);
    assert.deepEqual(ngsharePrefixes(config.ngsharePrefix), ['/api/', '/services/ngshare/']);
    assert.deepEqual(ngsharePrefixes('/services/ngshare/'), ['/services/ngshare/']);
  });

  it('reads admins, the hub URL (also from JupyterHub’s own variable) and the prefix', () => {
    const config = loadConfig({ ASSAY_NGSHARE_ADMINS: ' a, b ,,', ASSAY_NGSHARE_AUTH: 'hub', JUPYTERHUB_API_URL: 'http://hub:8081/hub/api/', ASSAY_NGSHARE_PREFIX: '/x/y/' });
    assert.deepEqual(config.ngshareAdmins, ['a', 'b']);
    assert.equal(config.jupyterhubApiUrl, 'http://hub:8081/hub/api');
    assert.equal(config.ngsharePrefix, '/x/y/');
  });

  it('refuses bad settings', () => {
    for (const prefix of ['api/', '/api', '/a b/', '/:c/', '//']) {
      assert.throws(() => loadConfig({ ASSAY_NGSHARE_PREFIX: prefix }), ConfigError, prefix);
    }
    assert.throws(() => loadConfig({ ASSAY_NGSHARE_AUTH: 'ldap' }), ConfigError);
    assert.throws(() => loadConfig({ ASSAY_NGSHARE_AUTH: 'hub' }), /ASSAY_JUPYTERHUB_API_URL/);
    assert.throws(() => loadConfig({ ASSAY_JUPYTERHUB_API_URL: 'hub:8081' }), ConfigError);
  });
});

describe('ngshare arguments', () => {
  it('takes the last value, the body after the query, stripped', () => {
    const args = argsFrom({ a: ['1', '2'], q: ' only query ' }, { a: ['3', ' 4 '], b: '' });
    assert.equal(args.argument('a'), '4');
    assert.equal(args.bodyArgument('q'), 'only query');
    assert.equal(args.queryArgument('a'), '4');
    assert.equal(args.argument('b'), '');
    assert.equal(args.argument('missing'), undefined);
    assert.equal(args.argument('toString'), undefined);
  });

  it('strips like Python, after turning control characters into spaces', () => {
    assert.equal(cleanArgument('\u0000x\u0007'), 'x');
    assert.equal(cleanArgument('\u001c\u0085x\u2028'), 'x');
    assert.equal(cleanArgument('\ufeffx'), '\ufeffx');
    assert.equal(cleanArgument('a\u0001b'), 'a b');
  });
});

describe('ngshare helpers', () => {
  it('sorts course ids by code point, as Python does', () => {
    assert.deepEqual(['b', 'B', 'a', '\u{1F600}', '\uFF21', 'aa'].sort(byCodePoint), ['B', 'a', 'aa', 'b', '\uFF21', '\u{1F600}']);
  });

  it('claims malformed paths only under its own routes', () => {
    assert.equal(ngshareFrameworkError('/api/', '/api/core/x', 400), null);
    assert.equal(ngshareFrameworkError('/api/', '/api/assay/v1/x', 400), null);
    assert.deepEqual(ngshareFrameworkError('/api/', '/api/course/x?y', 400), { status: 400, body: { success: false, message: 'Bad request' } });
    assert.equal(ngshareFrameworkError('/api/', '/services/ngshare/whatever', 400)?.status, 400);
  });
});
