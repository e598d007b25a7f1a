import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { LocalBlobStore } from '../../src/blobs/local.ts';
import { isAssayError } from '../../src/core/errors.ts';
import { renderNgshareError } from '../../src/dialects/ngshare/errors.ts';
import { pathProblem } from '../../src/core/files/paths.ts';
import type { TreeEntry } from '../../src/core/files/files.repo.ts';
import { Base64StreamDecoder, decodeBase64, encodeMimeBase64, MimeBase64Encoder } from '../../src/dialects/ngshare/base64.ts';
import {
  encodeTreeJson,
  isListOnly,
  listTree,
  storeFilesArgument,
  treeResponseJson,
  treeResponseText,
} from '../../src/dialects/ngshare/tree-codec.ts';

const md5 = (b: Buffer) => crypto.createHash('md5').update(b).digest('hex');
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const files = (list: unknown) => JSON.stringify(list);

const blobDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngshare-codec-'));
const blobs = new LocalBlobStore(blobDir);
before(() => blobs.init());
after(() => fs.rmSync(blobDir, { recursive: true, force: true }));

async function* pieces(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/**
 * The `files` argument in pieces of `size` characters, stored in the test's blob store: parsed
 * whole (`whole`, as a small argument is) or tokenized as it streams (as a large one is).
 */
function storeFiles(raw: string | undefined, size = 65536, whole = false) {
  const sink = { stream: (source: Readable) => blobs.put(source), whole: (contents: Buffer[]) => blobs.putMany(contents) };
  return storeFilesArgument(raw === undefined ? undefined : pieces(raw, size), sink, whole ? undefined : 0);
}

/** The same answer whatever way the text is cut into pieces, streamed or parsed whole. */
async function rejects(raw: string | undefined, message: string) {
  for (const [size, whole] of [[65536, false], [1, false], [5, false], [7, true]] as const) {
    await assert.rejects(
      storeFiles(raw, size, whole),
      (e) => isAssayError(e) && e.kind === 'invalid' && e.message === message && renderNgshareError(e, 'POST', false).body.message === message,
      `${raw} (pieces of ${size}${whole ? ', whole' : ''}) → ${message}`,
    );
  }
}

/** Both ways of reading give the same files. */
async function accepts(raw: string, size = 3) {
  const streamed = await storeFiles(raw, size);
  assert.deepEqual(await storeFiles(raw, size, true), streamed, 'parsed whole, the same files');
  return streamed;
}

/** Decodes text fed one character at a time. */
function decodeByCharacter(text: string): Buffer | null {
  const decoder = new Base64StreamDecoder();
  const out = [...text].map((c) => decoder.push(c));
  return decoder.end() ? Buffer.concat(out) : null;
}

async function text(gen: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const part of gen) out += part;
  return out;
}

describe('ngshare base64 decoding (§3.4)', () => {
  const table: [string, string | null][] = [
    ['amtsCg==', 'jkl\n'],
    ['amts\nCg==', 'jkl\n'],
    ['am*tsCg==', 'jkl\n'],
    ['amtsCg==xyz', 'jkl\n'],
    ['amtsCf==', 'jkl\t'],
    ['=YQ==', 'a'],
    ['Y=Q==', 'a'],
    ['YQ=Zg==', 'a\x06`'],
    ['', ''],
    ['amtsCg', null],
    ['YQ=', null],
    ['Y', null],
    ['  \n\t', ''],
    ['YWJj', 'abc'],
    ['YWI=', 'ab'],
    ['YWI=junk', 'ab'],
    ['Y\r\nW\r\nJj\r\n', 'abc'],
    ['YQ=\n=', 'a'],
    ['YQ\u00e9==', 'a'],
  ];
  for (const [input, expected] of table) {
    it(`${JSON.stringify(input)} → ${expected === null ? 'rejected' : JSON.stringify(expected)}`, () => {
      const out = decodeBase64(input);
      assert.equal(out === null ? null : out.toString('latin1'), expected);
      const streamed = decodeByCharacter(input);
      assert.equal(streamed === null ? null : streamed.toString('latin1'), expected, 'fed one character at a time');
    });
  }

  it('agrees with CPython base64.decodebytes on 500 generated inputs', () => {
    const cases = JSON.parse(fs.readFileSync(new URL('./fixtures/base64-python.json', import.meta.url), 'utf8')) as [string, string | null][];
    assert.equal(cases.length, 500);
    for (const [input, hex] of cases) {
      const out = decodeBase64(input);
      assert.equal(out === null ? null : out.toString('hex'), hex, JSON.stringify(input));
    }
  });

  it('answers as the character-by-character decoder on the shapes clients send and their near misses', () => {
    const line = encodeMimeBase64(crypto.randomBytes(57)).slice(0, -1);
    const shapes = ['', '\n', 'YQ==\n', 'YWI=\n', 'YWJj\n', 'YWJj\n=', 'YWJj=', 'YQ=\n', 'YQ\n==', 'Y\n', 'YWI\n', 'YW-_', 'YW_j', 'YWJj\r\n', 'YQ==YQ==', 'YWJjZA\n', `${line}\n${line}\nYQ==\n`, `${line}\n${line}\nYQ\n`, `${line}\n${line}`];
    for (const input of shapes) {
      const fast = decodeBase64(input);
      const slow = decodeByCharacter(input);
      assert.equal(fast === null ? null : fast.toString('hex'), slow === null ? null : slow.toString('hex'), JSON.stringify(input));
    }
  });

  it('decodes MIME-encoded output back to the same bytes', () => {
    const data = crypto.randomBytes(10_000);
    assert.deepEqual(decodeBase64(encodeMimeBase64(data)), data);
  });

  it('decodes large inputs fed in pieces cut anywhere, whatever the line layout', () => {
    for (const size of [3_000_000, 3_000_001, 3_000_002]) {
      const data = crypto.randomBytes(size);
      const flat = data.toString('base64');
      const layouts: [string, string][] = [
        ['MIME', encodeMimeBase64(data)],
        ['CRLF', encodeMimeBase64(data).replace(/\n/g, '\r\n')],
        ['one line', flat],
        ['ragged lines', flat.replace(/(.{13})/g, '$1\n')],
        ['junk (slow path)', flat.replace(/(.{50})/g, '$1 *')],
        ['over-padded', flat.replace(/=+$/, '') + (size % 3 === 0 ? '' : '==')],
      ];
      for (const [name, text] of layouts) {
        const decoder = new Base64StreamDecoder();
        const chunks: Buffer[] = [];
        for (let i = 0; i < text.length; i += 65_537) chunks.push(decoder.push(text.slice(i, i + 65_537)));
        assert.ok(decoder.end(), name);
        assert.ok(chunks.every((c) => c.length <= 65_537), name);
        assert.ok(Buffer.concat(chunks).equals(data), `${name} (${size} bytes)`);
      }
    }
  });
});

describe('ngshare base64 encoding (§3.2)', () => {
  it('is base64.encodebytes: 76-column lines, trailing newline, "" when empty', () => {
    assert.equal(encodeMimeBase64(Buffer.alloc(0)), '');
    assert.equal(encodeMimeBase64(Buffer.from('a')), 'YQ==\n');
    assert.equal(encodeMimeBase64(Buffer.from('x'.repeat(57))), 'eHh4'.repeat(19) + '\n');
    assert.equal(encodeMimeBase64(Buffer.from('x'.repeat(58))), 'eHh4'.repeat(19) + '\neA==\n');
    const big = encodeMimeBase64(crypto.randomBytes(1000));
    const lines = big.split('\n');
    assert.equal(lines.pop(), '');
    assert.ok(lines.slice(0, -1).every((l) => l.length === 76));
    assert.ok(lines.at(-1)!.length <= 76);
  });

  it('gives the same text when fed in arbitrary chunks', () => {
    const data = crypto.randomBytes(5000);
    for (const size of [1, 7, 56, 57, 58, 1000, 5000]) {
      const enc = new MimeBase64Encoder();
      let out = '';
      for (let i = 0; i < data.length; i += size) out += enc.push(data.subarray(i, i + size));
      out += enc.end();
      assert.equal(out, encodeMimeBase64(data), `chunk size ${size}`);
    }
  });
});

describe('ngshare files argument (§3.1)', () => {
  it('accepts a list of {path, content}, ignoring a client checksum, keeping order and duplicates', async () => {
    const parsed = await accepts(files([
      { path: 'b.ipynb', content: b64('one'), checksum: 'bogus' },
      { path: 'a.ipynb', content: b64('two') },
      { path: 'b.ipynb', content: b64('three') },
    ]));
    assert.deepEqual(parsed.map((f) => f.path), ['b.ipynb', 'a.ipynb', 'b.ipynb']);
    assert.deepEqual(parsed.map((f) => f.blob.md5), ['one', 'two', 'three'].map((t) => md5(Buffer.from(t))));
  });

  it('accepts [] (no files), with whitespace around it', async () => {
    assert.deepEqual(await accepts('[]'), []);
    assert.deepEqual(await accepts(' \n[ ] \t', 1), []);
  });

  it('takes the last of repeated keys, as JSON.parse does, and ignores nested values', async () => {
    const [file] = await accepts('[{"path": "first", "content": "' + b64('one') + '", "extra": {"path": "/x", "content": 5}, "path": "second", "content": "' + b64('two') + '"}]', 3);
    assert.equal(file!.path, 'second');
    assert.equal(file!.blob.md5, md5(Buffer.from('two')));
  });

  it('decodes JSON escapes inside paths and contents', async () => {
    const [file] = await accepts('[{"path": "d\\u00e9j\\u00e0/a.txt", "content": "YW\\nJj\\r\\n"}]', 2);
    assert.equal(file!.path, 'déjà/a.txt');
    assert.equal(file!.blob.md5, md5(Buffer.from('abc')));
  });

  it('answers the documented messages in order', async () => {
    await rejects(undefined, 'Please supply files');
    await rejects('', 'Files cannot be JSON decoded');
    await rejects('[{"path": "a"', 'Files cannot be JSON decoded');
    await rejects('[] []', 'Files cannot be JSON decoded');
    await rejects(files([{ path: '/a', content: b64('x') }]), 'Illegal path');
    await rejects(files([{ path: 'a', content: 'YQ=' }]), 'Content cannot be base64 decoded');
    // A fault in the JSON after a bad element still makes the whole argument "not JSON", as parsing it whole would.
    await rejects('[{"path": "/a", "content": "' + b64('x') + '"}, {"path": "b", "content": "x"', 'Files cannot be JSON decoded');
    await rejects('[7, {"path": "b", "content": "YQ=="}, nul]', 'Files cannot be JSON decoded');
  });

  it('fixes upstream 500s with 400 Incorrect request format', async () => {
    for (const raw of ['{}', '""', '"abc"', '3', 'null', 'true', '{"path": "a", "content": ""}']) await rejects(raw, 'Incorrect request format');
    for (const el of [null, 3, 'a', [], [{ path: 'a', content: '' }], { path: { p: 'a' }, content: '' }]) await rejects(files([el]), 'Incorrect request format');
    await rejects(files([{ content: b64('x') }]), 'Incorrect request format');
    await rejects(files([{ path: 3, content: b64('x') }]), 'Incorrect request format');
    await rejects(files([{ path: null, content: b64('x') }]), 'Incorrect request format');
    await rejects(files([{ path: 'a' }]), 'Incorrect request format');
    await rejects(files([{ path: 'a', content: 5 }]), 'Incorrect request format');
    await rejects(files([{ path: 'a', content: null }]), 'Incorrect request format');
    await rejects(files([{ path: 'a', content: ['YQ=='] }]), 'Incorrect request format');
  });

  it('checks elements in array order and the path before the content', async () => {
    await rejects(files([{ path: 'ok', content: 'Y' }, { path: '/bad', content: b64('x') }]), 'Content cannot be base64 decoded');
    await rejects(files([{ path: '/bad', content: 'Y' }]), 'Illegal path');
    await rejects(files([{ content: 'Y', path: '/bad' }]), 'Illegal path');
    await rejects(files([{ path: '/bad' }]), 'Illegal path');
    await rejects(files([{ path: 'ok', content: b64('x') }, { path: '../x', content: 'Y' }]), 'Illegal path');
    await rejects(files([{ path: 'ok', content: 'Y' }, 7]), 'Content cannot be base64 decoded');
    await rejects(files([7, { path: '/bad', content: 'Y' }]), 'Incorrect request format');
  });
});

describe('ngshare path rules (§3.3) agree with the core rule', () => {
  const illegal = ['/a', '/', '', '../etc', 'a/./a.py', 'a/.', 'a/', './a', 'a/..', '//a', 'a/b/', 'a/../b', '.', '..', 'a\u0000b', 'a//', '/a/b'];
  const legal = ['a', 'a/b', 'a//b', 'a///b', '..a', 'a..', '.hidden', '.ipynb_checkpoints/x-checkpoint.ipynb', 'a\\..\\b', '~/x', ' ', 'ünïcødé/файл.ipynb', '...'];
  for (const p of illegal) {
    it(`${JSON.stringify(p)} is illegal`, async () => {
      assert.notEqual(pathProblem(p), null);
      await rejects(files([{ path: p, content: '' }]), 'Illegal path');
    });
  }
  for (const p of legal) {
    it(`${JSON.stringify(p)} is legal and kept literally`, async () => {
      assert.equal(pathProblem(p), null);
      assert.equal((await accepts(files([{ path: p, content: '' }]), 3))[0]!.path, p);
    });
  }
});

describe('ngshare tree storage and download', () => {
  const bytes = [Buffer.from('{"cells": []}\n'), Buffer.alloc(0), crypto.randomBytes(200_000)];

  async function upload(): Promise<TreeEntry[]> {
    const stored = await storeFiles(files([
      { path: 'ps1/ps1.ipynb', content: encodeMimeBase64(bytes[0]!) },
      { path: 'ps1/empty.txt', content: '' },
      { path: 'ps1/data.bin', content: b64(bytes[2]!) },
    ]), 4096);
    return stored.map((f) => ({ path: f.path, blob: f.blob.sha256, size: f.blob.size, md5: f.blob.md5 }));
  }

  it('stores each decoded file with its lowercase hex MD5', async () => {
    const entries = await upload();
    assert.deepEqual(entries.map((e) => e.md5), bytes.map(md5));
    assert.deepEqual(entries.map((e) => e.size), bytes.map((b) => b.length));
    for (const e of entries) assert.match(e.md5, /^[0-9a-f]{32}$/);
  });

  it('downloads in upload order with MIME base64 content, streamed in small chunks', async () => {
    const entries = await upload();
    const open = (sha: string) => Readable.from(chunks(fs.readFileSync(blobs.pathOf(sha)), 1000));
    const json = JSON.parse(await text(encodeTreeJson(entries, open))) as { path: string; checksum: string; content: string }[];
    assert.deepEqual(json.map((f) => f.path), ['ps1/ps1.ipynb', 'ps1/empty.txt', 'ps1/data.bin']);
    json.forEach((f, i) => {
      assert.deepEqual(Object.keys(f), ['path', 'checksum', 'content']);
      assert.equal(f.content, encodeMimeBase64(bytes[i]!));
      assert.equal(f.checksum, md5(bytes[i]!));
    });
    assert.equal(json[1]!.content, '');
  });

  it('list_only gives exactly path and checksum; only the string "true" turns it on', async () => {
    const entries = await upload();
    const listed = listTree(entries);
    assert.deepEqual(listed.map((f) => Object.keys(f)), [['path', 'checksum'], ['path', 'checksum'], ['path', 'checksum']]);
    assert.equal(isListOnly('true'), true);
    for (const v of ['True', 'TRUE', '1', 'yes', '', undefined, null, ' true']) assert.equal(isListOnly(v), false, String(v));
  });

  it('wraps the tree in a success body, with extra fields first', async () => {
    const entries = await upload();
    const full = JSON.parse(await text(treeResponseJson({ timestamp: '2020-01-30 10:30:47.524219' }, entries, false, (sha) => blobs.open(sha))));
    assert.equal(full.success, true);
    assert.equal(full.timestamp, '2020-01-30 10:30:47.524219');
    assert.equal(Buffer.from(full.files[2].content, 'base64').equals(bytes[2]!), true);
    const listed = JSON.parse(await text(treeResponseJson({}, entries, true, () => { throw new Error('list_only must not open blobs'); })));
    assert.deepEqual(listed, { success: true, files: listTree(entries) });
    // Built whole (a small tree), the body is the streamed one byte for byte.
    const streamed = await text(treeResponseJson({ timestamp: '2020-01-30 10:30:47.524219' }, entries, false, (sha) => blobs.open(sha)));
    assert.equal(await treeResponseText({ timestamp: '2020-01-30 10:30:47.524219' }, entries, (sha, size) => blobs.read(sha, size)), streamed);
    const empty = JSON.parse(await text(treeResponseJson({}, [], false, (sha) => blobs.open(sha))));
    assert.deepEqual(empty, { success: true, files: [] });
  });
});

function* chunks(data: Buffer, size: number) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}
