import crypto from 'node:crypto';
import { sha256Hex } from '../identity/tokens.service.ts';

export { sha256Hex };

/** An unguessable url-safe secret (client ids and secrets, tokens, codes, session keys). */
export const newSecret = (): string => crypto.randomBytes(32).toString('base64url');

/** Autolab's device_code: 64 hex digits. */
export const newDeviceCode = (): string => crypto.randomBytes(32).toString('hex');

const USER_CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Autolab's user_code: 6 case-sensitive characters from [A-Za-z0-9]. */
export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < 6; i++) code += USER_CODE_ALPHABET[crypto.randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/** Compares a presented secret with a stored hash in constant time. */
export function matchesHash(secret: string, hash: string): boolean {
  const a = Buffer.from(sha256Hex(secret), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
