/**
 * The machine's floor for bench:ngshare: a bare node:http server, in a process of its own, doing
 * for the same bytes only what no ngshare server can avoid. A hand-in (any POST) is received over
 * loopback, the `files` field percent-decoded (decodeURIComponent), parsed (JSON.parse) and each
 * content base64-decoded, each file hashed (SHA-256 and MD5), written to a new file, every file
 * flushed (fdatasync, all at once), renamed into place and the directory flushed once. A download
 * (any GET) reads the FILES files of a hand-in and sends them as ngshare's JSON with MIME base64.
 * No authentication, no database, no checks.
 *
 *   node --import tsx bench/ngshare-floor.ts
 *
 * Prints one JSON line `{base}` and serves until SIGTERM.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { encodeMimeBase64 } from '../src/dialects/ngshare/base64.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-floor-'));
const incoming = path.join(dir, 'tmp');
fs.mkdirSync(incoming);
/** The last hand-in's files, downloaded by every GET. */
let latest: { path: string; file: string; md5: string }[] = [];

async function handIn(body: Buffer): Promise<void> {
  const text = body.toString('latin1');
  const start = text.indexOf('files=') + 'files='.length;
  const end = text.indexOf('&', start);
  const files = JSON.parse(decodeURIComponent(text.slice(start, end === -1 ? undefined : end))) as { path: string; content: string }[];
  const written = await Promise.all(
    files.map(async (f) => {
      const bytes = Buffer.from(f.content, 'base64');
      const sha = crypto.createHash('sha256').update(bytes).digest('hex');
      const md5 = crypto.createHash('md5').update(bytes).digest('hex');
      const tmp = path.join(incoming, crypto.randomUUID());
      const handle = await fsp.open(tmp, 'wx');
      try {
        await handle.writeFile(bytes);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      const file = path.join(dir, sha);
      await fsp.rename(tmp, file);
      return { path: f.path, file, md5 };
    }),
  );
  const handle = await fsp.open(dir, 'r');
  await handle.sync();
  await handle.close();
  latest = written;
}

async function download(): Promise<Buffer> {
  const parts: string[] = [];
  for (const f of latest) {
    const content = encodeMimeBase64(await fsp.readFile(f.file)).replace(/\n/g, '\\n');
    parts.push(`{"path": ${JSON.stringify(f.path)}, "checksum": "${f.md5}", "content": "${content}"}`);
  }
  return Buffer.from(`{"success": true, "timestamp": "2020-01-01 00:00:00.000000", "files": [${parts.join(', ')}]}`);
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const work = req.method === 'POST' ? handIn(Buffer.concat(chunks)).then(() => Buffer.from('{"success": true, "timestamp": "2020-01-01 00:00:00.000000"}')) : download();
    work.then(
      (answer) => res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'content-length': answer.length }).end(answer),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(JSON.stringify({ base: `http://127.0.0.1:${port}` }) + '\n');
});
process.on('SIGTERM', () => {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
