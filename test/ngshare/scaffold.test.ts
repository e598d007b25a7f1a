import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { byCodePoint } from '../../src/core/exchange/exchange-courses.service.ts';
import { argsFrom } from '../../src/dialects/ngshare/args.ts';
import { cleanArgument, decodeFormValue } from '../../src/dialects/ngshare/form-fields.ts';
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
    assert.equal(cleanArgument(' x '), 'x');
    assert.equal(cleanArgument('x'), 'x');
  });

  it('decodes a form value exactly as URLSearchParams does, bad escapes and bad UTF-8 included', () => {
    const values = ['a+b%2Bc', '%E2%82%AC%20x', '100%', '%zz%4', '%C3%28', '%ff%FE', 'caf\u00e9', '%2541', '+%2B+', '', '%5Cn%22', '%e2%82'];
    for (const value of values) {
      const raw = Buffer.from(value);
      assert.equal(decodeFormValue(raw), new URLSearchParams(`v=${raw.toString('utf8')}`).get('v'), value);
    }
    // Raw bytes that are not UTF-8 become U+FFFD either way.
    const invalid = Buffer.from([0x61, 0xff, 0x25, 0x34, 0x31]);
    assert.equal(decodeFormValue(invalid), new URLSearchParams(`v=${invalid.toString('utf8')}`).get('v'));
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
