/** Tables added by migration 0017_devilry (Devilry), as Kysely sees them. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DevilryTables {}
