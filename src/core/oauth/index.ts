import type { Actor } from '../actor.ts';
import { AssayError } from '../errors.ts';
import type { BaseServices } from '../services.ts';

/** The scopes Autolab's API knows, in upstream's spelling. */
export const OAUTH_SCOPES = ['user_info', 'user_courses', 'user_scores', 'user_submit', 'instructor_all', 'admin_all'] as const;
export type OAuthScope = (typeof OAUTH_SCOPES)[number];

/** Who a valid access token speaks for, and what it may do. */
export interface OAuthAccess {
  userId: number;
  clientId: number;
  scopes: string[];
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token lives. */
  expiresIn: number;
  scopes: string[];
  createdAt: Date;
}

export interface OAuthClientCreated {
  id: number;
  name: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  scopes: string[];
}

/** OAuth2 clients, grants and tokens (Autolab's clients sign in through it). */
export interface OAuthServices {
  /** Registers a client application (admins only); the secret is shown this once. */
  createClient(actor: Actor, input: { name: string; redirectUris: string[]; scopes: string[] }): Promise<OAuthClientCreated>;
  /** Issues a fresh access token and refresh token for a user through a client (every grant ends here). */
  issueTokens(input: { clientId: number; userId: number; scopes: string[] }): Promise<IssuedTokens>;
  /** The access a bearer token grants; null when it is unknown, expired or revoked. */
  verifyAccessToken(token: string): Promise<OAuthAccess | null>;
}

const unbuilt = (): never => {
  throw new AssayError('not_implemented', 'OAuth2 is not implemented yet');
};

export function buildOAuthServices(_base: BaseServices): OAuthServices {
  return { createClient: unbuilt, issueTokens: unbuilt, verifyAccessToken: unbuilt };
}
