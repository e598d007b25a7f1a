import { webcrypto } from 'node:crypto';

/**
 * An HS256 key imported once. jose imports raw key bytes into WebCrypto on every sign and verify,
 * which was a tenth of an authenticated request's time; a CryptoKey is used as it is.
 */
export function hmacKey(secret: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}
