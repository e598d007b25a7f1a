/** The scopes Autolab's API knows, in upstream's spelling. */
export const OAUTH_SCOPES = ['user_info', 'user_courses', 'user_scores', 'user_submit', 'instructor_all', 'admin_all'] as const;
export type OAuthScope = (typeof OAUTH_SCOPES)[number];

/** What a request without `scope` is granted (Doorkeeper's default scope in Autolab). */
export const DEFAULT_SCOPES: readonly string[] = ['user_info'];

const KNOWN: ReadonlySet<string> = new Set(OAUTH_SCOPES);

export const isKnownScope = (scope: string): boolean => KNOWN.has(scope);

/** Space-separated scope text to a list without duplicates. */
export function parseScopes(text: string | null | undefined): string[] {
  return [...new Set((text ?? '').split(/\s+/).filter((s) => s !== ''))];
}

export const formatScopes = (scopes: readonly string[]): string => scopes.join(' ');
