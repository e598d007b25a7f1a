import { useQuery } from '@tanstack/react-query';
import { rawFetch } from './client.ts';

/** A submitted file's text (null: the submission has no such file). */
export function useSubmissionFile(submission: number | null, path: string | null) {
  return useQuery({
    queryKey: ['submission', submission, 'file', path],
    enabled: submission !== null && path !== null,
    staleTime: Infinity,
    queryFn: async () => {
      const encoded = path!.split('/').map(encodeURIComponent).join('/');
      const response = await rawFetch(`/submissions/${submission}/files/${encoded}`).catch((e: unknown) => {
        if (e instanceof Error && 'status' in e && e.status === 404) return null;
        throw e;
      });
      if (response === null) return null;
      const type = response.headers.get('content-type') ?? '';
      return type.startsWith('text/') ? await response.text() : `(${path} is not text)`;
    },
  });
}
