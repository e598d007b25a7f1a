/**
 * ngshare upload bodies as ngshare_exchange sends them: a form-encoded `files` field holding
 * JSON `[{"path", "content"}]`, each content MIME base64 (76-column lines), then `user`.
 * Built in pieces, so a 200 MB tree never becomes one string.
 */
import { encodeMimeBase64 } from '../src/dialects/ngshare/base64.ts';

export interface BenchFile {
  path: string;
  content: Buffer;
}

/** 57 input bytes make one 76-column line, so slices of whole lines encode as the whole would. */
const SLICE = 57 * 16_384;

function* formPieces(files: BenchFile[], user: string): Generator<Buffer> {
  yield Buffer.from('files=' + encodeURIComponent('['));
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    yield Buffer.from(encodeURIComponent(`${i > 0 ? ', ' : ''}{"path": ${JSON.stringify(f.path)}, "content": "`));
    for (let at = 0; at < f.content.length; at += SLICE) {
      const lines = encodeMimeBase64(f.content.subarray(at, at + SLICE));
      yield Buffer.from(encodeURIComponent(lines.replace(/\n/g, '\\n')));
    }
    yield Buffer.from(encodeURIComponent('"}'));
  }
  yield Buffer.from(encodeURIComponent(']') + `&user=${encodeURIComponent(user)}`);
}

/** The form body in pieces (send them in order) and its length. */
export function formBody(files: BenchFile[], user: string): { pieces: Buffer[]; bytes: number } {
  const pieces = [...formPieces(files, user)];
  return { pieces, bytes: pieces.reduce((n, p) => n + p.length, 0) };
}
