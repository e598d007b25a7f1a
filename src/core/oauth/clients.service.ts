import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { isAdmin } from '../actor.ts';
import type { Clock } from '../clock.ts';
import type { SignInLimits } from '../identity/sign-in-limits.ts';
import { AssayError } from '../errors.ts';
import type { FieldProblem } from '../errors.ts';
import { oauthError } from './errors.ts';
import type { ClientRow } from './oauth.repo.ts';
import { oauthRepo } from './oauth.repo.ts';
import { DEFAULT_SCOPES, formatScopes, isKnownScope, parseScopes } from './scopes.ts';
import { matchesHash, newSecret, sha256Hex } from './secrets.ts';

export interface OAuthClientCreated {
  id: number;
  name: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  scopes: string[];
}

/** A registered client as the protocol code sees it (never its secret). */
export interface OAuthClient {
  id: number;
  uid: string;
  name: string;
  redirectUris: string[];
  scopes: string[];
}

/** The path a device-flow client registers as its redirect URI. */
export const DEVICE_CALLBACK_PATH = '/device_flow_auth_cb';
const OUT_OF_BAND = 'urn:ietf:wg:oauth:2.0:oob';

export function toClient(row: ClientRow): OAuthClient {
  return { id: row.id, uid: row.uid, name: row.name, redirectUris: JSON.parse(row.redirect_uris) as string[], scopes: parseScopes(row.scopes) };
}

function redirectUriProblem(uri: string, index: number): FieldProblem | null {
  const field = `redirect_uris.${index}`;
  if (uri === OUT_OF_BAND) return null;
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return { field, code: 'invalid', message: 'Enter an absolute URI.' };
  }
  if (parsed.hash !== '' || uri.includes('#')) return { field, code: 'invalid', message: 'A redirect URI cannot contain a fragment.' };
  if (!/^[a-z][a-z0-9+.-]*:$/i.test(parsed.protocol) || parsed.protocol === 'javascript:' || parsed.protocol === 'data:') {
    return { field, code: 'invalid', message: 'Enter an absolute URI.' };
  }
  return null;
}

/** Client applications: registered by administrators, authenticated by client_id and secret. */
export class ClientsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly limits: SignInLimits,
  ) {}

  async create(actor: Actor, input: { name: string; redirectUris: string[]; scopes: string[] }): Promise<OAuthClientCreated> {
    if (!isAdmin(actor)) throw AssayError.forbidden();
    const name = input.name.trim();
    const redirectUris = [...new Set(input.redirectUris.map((u) => u.trim()))];
    const scopes = input.scopes.length > 0 ? parseScopes(input.scopes.join(' ')) : [...DEFAULT_SCOPES];
    const problems: FieldProblem[] = [];
    if (name === '' || name.length > 255) problems.push({ field: 'name', code: name === '' ? 'blank' : 'max_length', message: name === '' ? 'This field may not be blank.' : 'Ensure this field has no more than 255 characters.' });
    if (redirectUris.length === 0 || redirectUris.includes('')) problems.push({ field: 'redirect_uris', code: 'required', message: 'Give at least one redirect URI.' });
    else redirectUris.forEach((uri, i) => {
      const problem = redirectUriProblem(uri, i);
      if (problem) problems.push(problem);
    });
    const unknown = scopes.filter((s) => !isKnownScope(s));
    if (unknown.length > 0) problems.push({ field: 'scopes', code: 'invalid_choice', message: `Unknown scope: ${unknown.join(', ')}.` });
    if (problems.length > 0) throw AssayError.invalid(problems);
    const uid = newSecret();
    const secret = newSecret();
    const row = await oauthRepo.insertClient(this.db, {
      name,
      uid,
      secret_hash: sha256Hex(secret),
      redirect_uris: JSON.stringify(redirectUris),
      scopes: formatScopes(scopes),
      confidential: true,
      created_by: actor.id,
      created_at: this.clock.now(),
    });
    return { id: row.id, name, clientId: uid, clientSecret: secret, redirectUris, scopes };
  }

  async byUid(uid: string): Promise<OAuthClient | null> {
    const row = await oauthRepo.clientByUid(this.db, uid);
    return row ? toClient(row) : null;
  }

  /** The client these credentials authenticate; invalid_client otherwise; `rate_limited` past the sign-in limits (per client id and address). */
  async authenticate(uid: string | undefined, secret: string | undefined, address: string): Promise<OAuthClient> {
    if (!uid || secret === undefined) throw oauthError('invalid_client');
    const row = await this.limits.check({ account: `oauth-client:${uid}`, address }, async () => {
      const found = await oauthRepo.clientByUid(this.db, uid);
      return found && matchesHash(secret, found.secret_hash) ? found : null;
    });
    if (!row) throw oauthError('invalid_client');
    return toClient(row);
  }
}

/** The redirect URI the device flow's codes are bound to: the registered callback, else the first URI. */
export function deviceRedirectUri(client: OAuthClient): string {
  return client.redirectUris.find((u) => u.endsWith(DEVICE_CALLBACK_PATH)) ?? client.redirectUris[0]!;
}
