import { useLayoutEffect } from 'react';

/**
 * Marks (User Timing: `assay:page-shown`) the commit in which a page first shows its content.
 * `npm run bench:web` counts the API requests started before it; nothing else reads it.
 */
export function PageShown({ page }: { page: string }) {
  useLayoutEffect(() => {
    performance.mark('assay:page-shown', { detail: page });
  }, [page]);
  return null;
}
