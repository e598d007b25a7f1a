/** Files a checker reads inline: text up to this size comes with the review; larger ones are downloaded. */
export const INLINE_TEXT_BYTES = 256 * 1024;
/** At most this much of one submission comes inline (a submission of many files: the rest are downloaded). */
export const INLINE_SUBMISSION_BYTES = 4 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text when they are UTF-8 without NUL (what an editor shows as text), else null. */
export function asText(bytes: Buffer): string | null {
  if (bytes.includes(0)) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** Lines an editor shows for the text: a last line without its newline counts; an empty file has one (empty) line. */
export function lineCount(text: string): number {
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < text.length - 1; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}
