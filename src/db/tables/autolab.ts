/** Tables added by migration 0015_autolab (Autolab), as Kysely sees them. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AutolabTables {}
