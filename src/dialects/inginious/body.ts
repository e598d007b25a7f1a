import type { FastifyRequest } from 'fastify';
import { AssayError } from '../../core/errors.ts';
import type { RawAnswers, UploadedFile } from '../../core/tasks/problems.ts';

/** A body kept as text by the content-type parsers, read by the handler (after the checks that come first). */
export interface TextBody {
  kind: 'form' | 'json';
  text: string;
}

const isTextBody = (v: unknown): v is TextBody => typeof v === 'object' && v !== null && 'kind' in v && 'text' in v;

const invalid = (message: string) => new AssayError('invalid', message, { reason: 'invalid_arguments' });

const push = <T>(map: Record<string, T[]>, key: string, value: T) => {
  // Own properties only, so a field named `__proto__` stays a field.
  if (!Object.hasOwn(map, key)) Object.defineProperty(map, key, { value: [], enumerable: true, writable: true, configurable: true });
  map[key]!.push(value);
};

/** A JSON body's value: text, a number, a list of those, or a file `{"filename", "value": base64}`. */
function readJsonValue(out: RawAnswers, key: string, value: unknown): void {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') push(out.fields, key, String(value));
  else if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item !== 'string' && typeof item !== 'number') throw invalid(`${key}: a list may hold only text or numbers`);
      push(out.fields, key, String(item));
    }
  } else if (typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>).filename === 'string') {
    const { filename, value: content } = value as { filename: string; value?: unknown };
    if (typeof content !== 'string' || !/^[A-Za-z0-9+/=\s]*$/.test(content)) throw invalid(`${key}: a file's value must be base64`);
    push(out.files, key, { filename, data: Buffer.from(content, 'base64') } satisfies UploadedFile);
  } else throw invalid(`${key}: unsupported value`);
}

/**
 * The form fields and files of a request: url-encoded form, multipart (files as parts named by
 * problem id), or JSON (our extension). Repeated fields become lists; other bodies are empty.
 */
export async function readAnswers(request: FastifyRequest, maxFileBytes: number): Promise<RawAnswers> {
  const out: RawAnswers = { fields: {}, files: {} };
  if (request.isMultipart()) {
    try {
      for await (const part of request.parts({ limits: { fileSize: maxFileBytes } })) {
        if (part.type === 'file') push(out.files, part.fieldname, { filename: part.filename, data: await part.toBuffer() });
        else push(out.fields, part.fieldname, String(part.value));
      }
    } catch (err) {
      // Limits are the framework's errors (rendered 413); anything else the parser throws (no
      // boundary, a body cut short) is a malformed body.
      if ((err as { code?: string }).code?.startsWith('FST_')) throw err;
      throw invalid(`the multipart body cannot be parsed: ${(err as Error).message}`);
    }
    return out;
  }
  const body = request.body;
  if (!isTextBody(body)) return out;
  if (body.kind === 'form') {
    for (const [k, v] of new URLSearchParams(body.text)) push(out.fields, k, v);
    return out;
  }
  let data: unknown;
  try {
    data = JSON.parse(body.text);
  } catch {
    throw invalid('the JSON body cannot be parsed');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalid('the JSON body must be an object');
  for (const [k, v] of Object.entries(data)) readJsonValue(out, k, v);
  return out;
}

/** A single text field (the first when repeated), or undefined. */
export const fieldOf = (answers: RawAnswers, name: string): string | undefined => answers.fields[name]?.[0];
