import type { FastifyRequest } from 'fastify';
import type { StoredBlob } from '../../blobs/store.ts';
import { AssayError } from '../../core/errors.ts';
import type { Services } from '../../core/services.ts';

/**
 * Request bodies are kept raw until a handler reads them, so the checks run in DRF's order
 * (authentication, permission, lookup, then parsing) and a malformed body never hides a 404.
 */
export interface RawBody {
  kind: 'json' | 'form';
  text: string;
}

export interface UploadedFile {
  field: string;
  filename: string;
  mimetype: string;
  blob: StoredBlob;
}

export interface HiveBody {
  data: Record<string, unknown>;
  /** true when values came from a form or multipart body (strings, repeated keys as arrays). */
  form: boolean;
  files: UploadedFile[];
}

export function isRawBody(v: unknown): v is RawBody {
  return typeof v === 'object' && v !== null && 'kind' in v && 'text' in v;
}

function addField(out: Record<string, unknown>, key: string, value: string): void {
  const existing = out[key];
  if (existing === undefined) out[key] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else out[key] = [existing, value];
}

export function parseFormText(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(text)) addField(out, k, v);
  return out;
}

export interface ReadOptions {
  maxFileBytes?: number;
  /** Keep directories in part filenames (`src/main.py`): for uploads of file trees. */
  preservePath?: boolean;
}

export async function readHiveBody(request: FastifyRequest, services: Services, options: ReadOptions = {}): Promise<HiveBody> {
  const maxFileBytes = options.maxFileBytes ?? services.config.maxUploadBytes;
  if (request.isMultipart()) {
    const data: Record<string, unknown> = {};
    const files: UploadedFile[] = [];
    try {
      for await (const part of request.parts({ preservePath: options.preservePath ?? false, limits: { fileSize: maxFileBytes + 1 } })) {
        if (part.type === 'file') {
          const blob = await services.files.store(part.file, maxFileBytes);
          files.push({ field: part.fieldname, filename: part.filename, mimetype: part.mimetype, blob });
        } else {
          if (part.valueTruncated) throw new AssayError('too_large', 'Request body is too large.');
          addField(data, part.fieldname, String(part.value));
        }
      }
    } catch (err) {
      if (err instanceof AssayError) throw err;
      const code = (err as { code?: string }).code;
      if (code === 'FST_REQ_FILE_TOO_LARGE') throw AssayError.tooLarge(`File is too large (limit ${maxFileBytes} bytes).`, maxFileBytes, 'file');
      if (code && code.startsWith('FST_') && /LIMIT/.test(code)) throw new AssayError('too_large', 'Request body is too large.');
      throw new AssayError('parse_error', `Multipart form parse error - ${(err as Error).message}`);
    }
    return { data, form: true, files };
  }
  const raw = request.body;
  if (!isRawBody(raw)) return { data: {}, form: false, files: [] };
  if (raw.kind === 'form') return { data: parseFormText(raw.text), form: true, files: [] };
  if (raw.text.trim() === '') return { data: {}, form: false, files: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.text);
  } catch (err) {
    throw new AssayError('parse_error', `JSON parse error - ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw AssayError.field(null, 'invalid', `Invalid data. Expected a dictionary, but got ${Array.isArray(parsed) ? 'list' : typeof parsed}.`);
  }
  return { data: parsed as Record<string, unknown>, form: false, files: [] };
}
