import { Readable } from 'node:stream';
import { AssayError } from '../../core/errors.ts';
import type { TreeEntry } from '../../core/files/files.repo.ts';
import type { NewTreeFile } from '../../core/files/files.service.ts';
import { isLegalPath } from '../../core/files/paths.ts';
import type { StoredBlob } from '../../blobs/store.ts';
import { decodeBase64Chunks, MimeBase64Encoder, scanBase64 } from './base64.ts';

/**
 * The encoded directory tree of ngshare (reference §3): a `files` form field holding JSON
 * `[{path, content}]` on upload, `[{path, checksum, content}]` (or without `content` when
 * `list_only=true`) on download.
 */

/** Each failure's ngshare message, with the reason the dialect's error renderer keys on. */
const FAILURES = {
  missing: ['files_missing', 'Please supply files'],
  notJson: ['files_not_json', 'Files cannot be JSON decoded'],
  malformed: ['incorrect_request_format', 'Incorrect request format'],
  illegalPath: ['illegal_path', 'Illegal path'],
  badBase64: ['content_not_base64', 'Content cannot be base64 decoded'],
} as const;

function filesError(failure: keyof typeof FAILURES): AssayError {
  const [reason, message] = FAILURES[failure];
  return new AssayError('invalid', message, { reason, fields: [{ field: 'files', code: reason, message }] });
}

/** One uploaded element, checked but not decoded yet. */
export interface UploadedFile {
  path: string;
  content: string;
}

/**
 * Parses and checks the whole `files` argument before anything is stored (§3.1): element by
 * element in array order, the path before the content, so the first bad element decides the
 * message. Shapes upstream crashes on (not a list, not objects, missing or non-string fields)
 * answer `Incorrect request format`. A client-sent `checksum` is ignored.
 */
export function parseFilesArgument(raw: string | undefined | null): UploadedFile[] {
  if (raw === undefined || raw === null) throw filesError('missing');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw filesError('notJson');
  }
  if (!Array.isArray(parsed)) throw filesError('malformed');
  const files: UploadedFile[] = [];
  for (const element of parsed as unknown[]) {
    if (typeof element !== 'object' || element === null || Array.isArray(element)) throw filesError('malformed');
    const { path, content } = element as { path?: unknown; content?: unknown };
    if (typeof path !== 'string') throw filesError('malformed');
    if (!isLegalPath(path)) throw filesError('illegalPath');
    if (typeof content !== 'string') throw filesError('malformed');
    if (!scanBase64(content).ok) throw filesError('badBase64');
    files.push({ path, content });
  }
  return files;
}

/**
 * Decodes and stores the checked files one at a time, each streamed to the store in chunks of
 * about 1 MiB, so no decoded file is ever whole in memory; each element's text is released once
 * stored. Blobs stored before a failure are left to `gc`.
 */
export async function storeUploadedFiles(files: UploadedFile[], store: (source: Readable) => Promise<StoredBlob>): Promise<NewTreeFile[]> {
  const stored: NewTreeFile[] = [];
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const chunks = decodeBase64Chunks(file.content);
    // parseFilesArgument checked it; a null here would be a bug, not bad input.
    if (chunks === null) throw new Error(`files.${i}: content no longer decodes`);
    stored.push({ path: file.path, blob: await store(Readable.from(chunks)) });
    file.content = '';
  }
  return stored;
}

/** `list_only` is on only for the exact string `true` (§3.2). */
export function isListOnly(value: string | undefined | null): boolean {
  return value === 'true';
}

export interface ListedFile {
  path: string;
  checksum: string;
}

/** The `list_only=true` form: exactly `path` and `checksum`, in upload order. */
export function listTree(entries: TreeEntry[]): ListedFile[] {
  return entries.map((e) => ({ path: e.path, checksum: e.md5 }));
}

/**
 * The download form as JSON text, one file at a time: each blob is streamed through the MIME
 * base64 encoder, so memory holds one chunk, not the tree nor even one whole file.
 * Yields the text of a JSON array `[{"path":…,"checksum":…,"content":…},…]`.
 */
export async function* encodeTreeJson(entries: TreeEntry[], open: (sha256: string) => Readable): AsyncGenerator<string> {
  yield '[';
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    yield `${i > 0 ? ', ' : ''}{"path": ${JSON.stringify(e.path)}, "checksum": ${JSON.stringify(e.md5)}, "content": "`;
    const encoder = new MimeBase64Encoder();
    for await (const chunk of open(e.blob)) {
      const text = encoder.push(chunk as Buffer);
      // Base64 needs no JSON escaping; only its line breaks do.
      if (text.length > 0) yield text.replace(/\n/g, '\\n');
    }
    yield `${encoder.end().replace(/\n/g, '\\n')}"}`;
  }
  yield ']';
}

/**
 * A whole ngshare success body with a `files` tree, streamed: `fields` first (e.g. the
 * timestamp), then `files` in full or listed form.
 */
export async function* treeResponseJson(
  fields: Record<string, unknown>,
  entries: TreeEntry[],
  listOnly: boolean,
  open: (sha256: string) => Readable,
): AsyncGenerator<string> {
  let head = '{"success": true';
  for (const [key, value] of Object.entries(fields)) head += `, ${JSON.stringify(key)}: ${JSON.stringify(value)}`;
  yield `${head}, "files": `;
  if (listOnly) yield JSON.stringify(listTree(entries));
  else yield* encodeTreeJson(entries, open);
  yield '}';
}
