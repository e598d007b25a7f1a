/** Tables added by migration 0016_inginious (Inginious), as Kysely sees them. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface InginiousTables {}
