/**
 * The client side of bench:ngshare's large-tree measurement, in a process of its own so that
 * building the request and reading the answer never count in the server's memory.
 *
 *   node --import tsx bench/ngshare-big-client.ts release <url> <token>
 *   node --import tsx bench/ngshare-big-client.ts download <url> <token>
 *
 * `release` POSTs SMALL_FILES random files plus one BIG_FILE_BYTES file with Content-Length, as
 * ngshare_exchange would; `download` GETs the tree and reads it through without keeping it.
 * Each prints one JSON line: the status, the bytes sent or received, and what the caller checks.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { once } from 'node:events';
import type { BenchFile } from './ngshare-form.ts';
import { formBody } from './ngshare-form.ts';

const SMALL_FILES = 400;
const SMALL_FILE_BYTES = 256 * 1024;
const BIG_FILE_BYTES = 100 * 1024 * 1024;

async function release(url: URL, token: string): Promise<void> {
  const files: BenchFile[] = [];
  for (let i = 0; i < SMALL_FILES; i++) files.push({ path: `data/part-${String(i).padStart(3, '0')}.bin`, content: crypto.randomBytes(SMALL_FILE_BYTES) });
  files.push({ path: 'data/big.bin', content: crypto.randomBytes(BIG_FILE_BYTES) });
  const treeBytes = files.reduce((n, f) => n + f.content.length, 0);
  const bigMd5 = crypto.createHash('md5').update(files.at(-1)!.content).digest('hex');
  const { pieces, bytes } = formBody(files, 'inst');
  files.length = 0;
  const started = performance.now();
  const req = http.request(url, {
    method: 'POST',
    headers: { authorization: `token ${token}`, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(bytes) },
  });
  const answered = once(req, 'response') as Promise<[http.IncomingMessage]>;
  for (const piece of pieces) if (!req.write(piece)) await once(req, 'drain');
  req.end();
  const [res] = await answered;
  let text = '';
  for await (const chunk of res) text += String(chunk);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ status: res.statusCode, bodyBytes: bytes, treeBytes, files: SMALL_FILES + 1, bigMd5, seconds, text: text.slice(0, 300) }) + '\n');
}

async function download(url: URL, token: string): Promise<void> {
  const started = performance.now();
  const req = http.request(url, { method: 'GET', headers: { authorization: `token ${token}` } });
  req.end();
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  let bytes = 0;
  let head = '';
  let tail = '';
  for await (const chunk of res) {
    const buf = chunk as Buffer;
    bytes += buf.length;
    if (head.length < 40) head += buf.subarray(0, 40).toString();
    tail = (tail + buf.subarray(Math.max(0, buf.length - 40)).toString()).slice(-40);
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ status: res.statusCode, bytes, head: head.slice(0, 40), tail, seconds }) + '\n');
}

const [phase, target, token] = process.argv.slice(2);
if (!target || !token || (phase !== 'release' && phase !== 'download')) {
  process.stderr.write('usage: ngshare-big-client.ts release|download <url> <token>\n');
  process.exit(2);
}
await (phase === 'release' ? release(new URL(target), token) : download(new URL(target), token));
