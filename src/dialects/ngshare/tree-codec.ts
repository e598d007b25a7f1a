import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import { getManyValues, isMany, none } from 'stream-chain/defs.js';
import type { Many } from 'stream-chain/defs.js';
import { jsonParser } from 'stream-json/core/parser.js';
import type { Token } from 'stream-json/core/parser.js';
import { AssayError } from '../../core/errors.ts';
import type { TreeEntry } from '../../core/files/files.service.ts';
import type { NewTreeFile } from '../../core/files/files.service.ts';
import { isLegalPath } from '../../core/files/paths.ts';
import type { StoredBlob } from '../../blobs/store.ts';
import { Base64StreamDecoder, decodeBase64, MimeBase64Encoder } from './base64.ts';

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

/**
 * Reads, checks and stores the `files` argument as it streams in (§3.1): the JSON is tokenized
 * piece by piece and each element's content is base64-decoded straight into the blob store,
 * so neither the argument nor any one file is ever whole in memory.
 *
 * The answer is the one parsing it whole would give: text that is not JSON is `Files cannot be
 * JSON decoded` wherever the fault lies; then a value that is not a list is `Incorrect request
 * format`; then the first bad element decides, its path checked before its content. Shapes
 * upstream crashes on (not objects, missing or non-string fields) answer `Incorrect request
 * format`. A client-sent `checksum` is ignored; of repeated keys the last counts, as in JSON.parse.
 * Blobs stored before a fault is found are left to `gc`.
 */
export async function storeFilesArgument(
  text: AsyncIterable<string> | undefined,
  store: TreeBlobSink,
  wholeParseMaxChars = WHOLE_PARSE_MAX_CHARS,
): Promise<NewTreeFile[]> {
  if (text === undefined) throw filesError('missing');
  // A small argument (a typical submission) is parsed whole, natively, which is several times
  // faster; only what would not fit that bound is tokenized as it streams.
  const head: string[] = [];
  let length = 0;
  const pieces = text[Symbol.asyncIterator]();
  for (;;) {
    const next = await pieces.next();
    if (next.done) return storeWholeArgument(head.length === 1 ? head[0]! : head.join(''), store);
    head.push(next.value);
    length += next.value.length;
    if (length > wholeParseMaxChars) break;
  }
  const reader = new FilesReader(store.stream);
  try {
    for (const piece of head.splice(0)) await reader.feed(piece);
    for (let next = await pieces.next(); !next.done; next = await pieces.next()) await reader.feed(next.value);
    await reader.finish();
  } finally {
    await reader.abandon();
  }
  return await reader.result();
}

/** Where the files of a tree go: one at a time as they stream in, or all at once when they are whole in memory. */
export interface TreeBlobSink {
  stream(source: Readable): Promise<StoredBlob>;
  /** Stores every content together (their writes flushed together), answering in order. */
  whole(contents: Buffer[]): Promise<StoredBlob[]>;
}

/** Up to this many characters, the `files` argument is parsed whole rather than streamed. */
const WHOLE_PARSE_MAX_CHARS = 8 * 1024 * 1024;

/** What an element of the list holds once read: a string, anything else, or nothing. */
type ElementContent = { decodable: boolean } | null | typeof NOT_STRING;

/** The first rule an element breaks, path before content (§3.1), or null when it is good. */
function elementFailure(path: unknown, content: ElementContent): keyof typeof FAILURES | null {
  if (typeof path !== 'string') return 'malformed';
  if (!isLegalPath(path)) return 'illegalPath';
  if (content === null || content === NOT_STRING) return 'malformed';
  if (!content.decodable) return 'badBase64';
  return null;
}

/** The same answers as the streaming reader, for an argument held whole. */
async function storeWholeArgument(text: string, store: TreeBlobSink): Promise<NewTreeFile[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw filesError('notJson');
  }
  if (!Array.isArray(parsed)) throw filesError('malformed');
  const paths: string[] = [];
  const contents: Buffer[] = [];
  for (const element of parsed as unknown[]) {
    if (typeof element !== 'object' || element === null || Array.isArray(element)) throw filesError('malformed');
    const { path, content } = element as { path?: unknown; content?: unknown };
    let bytes: Buffer | null = null;
    let state: ElementContent = content === undefined ? null : NOT_STRING;
    // The path is checked before the content is decoded: a bad path answers without the work.
    if (typeof content === 'string' && typeof path === 'string' && isLegalPath(path)) {
      bytes = decodeBase64(content);
      state = { decodable: bytes !== null };
    } else if (typeof content === 'string') {
      state = { decodable: true };
    }
    const failure = elementFailure(path, state);
    if (failure) throw filesError(failure);
    paths.push(path as string);
    contents.push(bytes!);
  }
  const blobs = await store.whole(contents);
  return paths.map((path, i) => ({ path, blob: blobs[i]! }));
}

/** Blob writes (each ends with an fsync) that may be under way while the text goes on being read. */
const WRITES_IN_FLIGHT = 8;

type Container = 'array' | 'object';

/** What one element of the list said, once its object has closed. */
const NOT_STRING = Symbol('not a string');

interface ElementState {
  path: string | null | typeof NOT_STRING;
  /** Set when the last `content` was a string: its blob (being stored) and whether it was base64. */
  content: { blob: Promise<StoredBlob> | null; decodable: boolean } | null | typeof NOT_STRING;
}

/** The streaming state behind storeFilesArgument: JSON tokens in, stored files out. */
class FilesReader {
  private readonly parse = jsonParser({ packKeys: true, packStrings: false, streamStrings: true, streamKeys: false, packNumbers: true, streamNumbers: false });
  private readonly stack: Container[] = [];
  private topIsArray: boolean | null = null;
  private notJson = false;
  private failure: keyof typeof FAILURES | null = null;
  private readonly stored: { path: string; blob: Promise<StoredBlob> }[] = [];
  /** Every blob write started, in order, and how many of them have been waited for. */
  private readonly writes: Promise<StoredBlob>[] = [];
  private waited = 0;
  private element: ElementState | null = null;
  private key: string | null = null;
  /** The element-level string being read: a path (collected) or a content (streamed). */
  private path: string[] | null = null;
  private content: { decoder: Base64StreamDecoder; sink: PassThrough; blob: Promise<StoredBlob> } | null = null;

  constructor(private readonly store: (source: Readable) => Promise<StoredBlob>) {}

  async feed(piece: string): Promise<void> {
    if (this.notJson) return;
    let tokens: Token[];
    try {
      tokens = many(this.parse(piece));
    } catch {
      return this.spoil();
    }
    for (const token of tokens) await this.take(token);
    const sink = this.content?.sink;
    if (sink?.writableNeedDrain) await once(sink, 'drain');
  }

  async finish(): Promise<void> {
    if (this.notJson) return;
    try {
      // A flushable stage is flushed by calling it with `none`.
      const tokens = many(this.parse(none as unknown as string));
      for (const token of tokens) await this.take(token);
    } catch {
      return this.spoil();
    }
    if (this.topIsArray === null || this.stack.length > 0) this.notJson = true;
  }

  async result(): Promise<NewTreeFile[]> {
    if (this.notJson) throw filesError('notJson');
    if (!this.topIsArray) throw filesError('malformed');
    if (this.failure) throw filesError(this.failure);
    return Promise.all(this.stored.map(async ({ path, blob }) => ({ path, blob: await blob })));
  }

  /**
   * Closes a content stream left open by a failure (its temporary file is removed) and waits
   * for every blob write, so nothing is still writing once the request is answered.
   */
  async abandon(): Promise<void> {
    const open = this.content;
    this.content = null;
    open?.sink.destroy(new Error('upload abandoned'));
    await Promise.allSettled(this.writes);
  }

  /** The text is not JSON: nothing more is stored, and that is the answer. */
  private async spoil(): Promise<void> {
    this.notJson = true;
    await this.abandon();
  }

  /** Element level: directly inside an object that is an element of the top-level list. */
  private get atElement(): boolean {
    return this.topIsArray === true && this.stack.length === 2 && this.element !== null;
  }

  private async take(token: Token): Promise<void> {
    switch (token.name) {
      case 'startArray':
      case 'startObject':
        this.beginValue(token.name === 'startArray' ? 'array' : 'object');
        this.stack.push(token.name === 'startArray' ? 'array' : 'object');
        return;
      case 'endObject':
        this.stack.pop();
        if (this.stack.length === 1 && this.topIsArray) this.closeElement();
        return;
      case 'endArray':
        this.stack.pop();
        return;
      case 'keyValue':
        if (this.atElement) this.key = token.value;
        return;
      case 'startString':
        this.beginString();
        return;
      case 'stringChunk':
        if (this.path) this.path.push(token.value);
        else if (this.content) this.writeContent(token.value);
        return;
      case 'endString':
        await this.endString();
        return;
      case 'numberValue':
      case 'nullValue':
      case 'trueValue':
      case 'falseValue':
        this.beginValue('scalar');
        return;
      default:
        return;
    }
  }

  /** A value starts (not a string): the top-level value, a list element, or an element's field. */
  private beginValue(kind: Container | 'scalar'): void {
    if (this.stack.length === 0) {
      this.topIsArray = kind === 'array';
      return;
    }
    if (this.topIsArray && this.stack.length === 1) {
      if (kind === 'object') this.element = { path: null, content: null };
      else this.fail('malformed');
      return;
    }
    if (this.atElement) this.setField(NOT_STRING);
  }

  private setField(value: typeof NOT_STRING): void {
    if (this.key === 'path') this.element!.path = value;
    if (this.key === 'content') this.element!.content = value;
    this.key = null;
  }

  private beginString(): void {
    if (this.stack.length === 0) {
      this.topIsArray = false;
      return;
    }
    if (this.topIsArray && this.stack.length === 1) return this.fail('malformed');
    if (!this.atElement) return;
    if (this.key === 'path') this.path = [];
    else if (this.key === 'content' && this.failure === null) {
      const sink = new PassThrough({ highWaterMark: 1024 * 1024 });
      const blob = this.store(sink);
      this.writes.push(blob);
      this.content = { decoder: new Base64StreamDecoder(), sink, blob };
    } else if (this.key === 'content') {
      // A fault was found already: the content is only checked for JSON, not stored.
      this.element!.content = { blob: null, decodable: true };
    }
  }

  private writeContent(text: string): void {
    const open = this.content!;
    const bytes = open.decoder.push(text);
    if (bytes.length > 0) open.sink.write(bytes);
  }

  private async endString(): Promise<void> {
    if (this.path) {
      // A copy: the pieces are slices of the text they came in, which would stay alive with them.
      this.element!.path = Buffer.from(this.path.join(''), 'utf8').toString('utf8');
      this.path = null;
    } else if (this.content) {
      const open = this.content;
      this.content = null;
      const decodable = open.decoder.end();
      open.sink.end();
      this.element!.content = { blob: open.blob, decodable };
      // Later files are read while earlier ones are written, up to a bound.
      if (this.writes.length - this.waited > WRITES_IN_FLIGHT) await this.writes[this.waited++]!.catch(() => undefined);
    }
    if (this.atElement) this.key = null;
  }

  private closeElement(): void {
    const element = this.element!;
    this.element = null;
    this.key = null;
    if (this.failure) return;
    const { path, content } = element;
    const failure = elementFailure(path, content);
    if (failure) return this.fail(failure);
    this.stored.push({ path: path as string, blob: (content as { blob: Promise<StoredBlob> }).blob });
  }

  private fail(failure: keyof typeof FAILURES): void {
    this.failure ??= failure;
  }
}

function many(result: Token | Many<Token> | typeof none): Token[] {
  if (result === none) return [];
  return isMany(result) ? getManyValues(result) : [result as Token];
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

/** Up to this many bytes of files, a download is built whole and sent at once rather than streamed. */
export const WHOLE_TREE_MAX_BYTES = 8 * 1024 * 1024;

/** A file's content as encodeTreeJson writes it: MIME base64 lines, each ended by JSON's `\n` escape. */
function mimeJsonContent(bytes: Buffer): string {
  if (bytes.length === 0) return '';
  const flat = bytes.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < flat.length; i += 76) lines.push(flat.slice(i, i + 76));
  lines.push('');
  return lines.join('\\n');
}

/**
 * The same body as treeResponseJson (full form), built in one piece from the blobs read whole:
 * for a tree up to WHOLE_TREE_MAX_BYTES, cheaper than a stream of line-sized pieces.
 */
export async function treeResponseText(fields: Record<string, unknown>, entries: TreeEntry[], read: (sha256: string, size: number) => Promise<Buffer>): Promise<string> {
  const contents = await Promise.all(entries.map((e) => read(e.blob, e.size)));
  let head = '{"success": true';
  for (const [key, value] of Object.entries(fields)) head += `, ${JSON.stringify(key)}: ${JSON.stringify(value)}`;
  const parts = [`${head}, "files": [`];
  entries.forEach((e, i) => {
    parts.push(`${i > 0 ? ', ' : ''}{"path": ${JSON.stringify(e.path)}, "checksum": ${JSON.stringify(e.md5)}, "content": "`, mimeJsonContent(contents[i]!), '"}');
  });
  parts.push(']}');
  return parts.join('');
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
