/** Tables added by migration 0014_oauth (OAuth), as Kysely sees them. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface OAuthTables {}
