/**
 * A request the router refuses before any plugin sees it (malformed percent-encoding, an over-long
 * path segment, a body over the limit) still gets the envelope of the dialect whose path it is.
 * Each dialect answers null for a URL that is not its own.
 */
export type FrameworkErrorRenderer = (url: string, status: number) => { status: number; body: unknown; contentType?: string } | null;
