// Who is signed in: GET /session/ once at start, POST on sign-in, DELETE on sign-out. A 401 from
// any request clears it, and the shell shows the sign-in form in place of the page: the address
// and the drafts in localStorage stay, so signing in again continues where the person was.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, ok, setCsrfToken, whenSignedOut } from './api/client.ts';

export interface Me {
  id: number;
  username: string;
  first_name: string;
  last_name: string;
  role: string;
}

const KEY = ['session'];

export function useSession(): { me: Me | null | undefined; loading: boolean } {
  const queryClient = useQueryClient();
  useEffect(() => whenSignedOut(() => queryClient.setQueryData(KEY, null)), [queryClient]);
  const query = useQuery({
    queryKey: KEY,
    queryFn: async (): Promise<Me | null> => {
      const answer = await api.GET('/session/');
      if (answer.response.status === 401) return null;
      const body = await ok(Promise.resolve(answer));
      setCsrfToken(body.csrf_token);
      return body.user;
    },
    staleTime: Infinity,
    retry: false,
  });
  return { me: query.data, loading: query.isPending };
}

export async function signIn(username: string, password: string): Promise<Me> {
  const body = await ok(api.POST('/session/', { body: { username, password } }));
  setCsrfToken(body.csrf_token);
  return body.user;
}

export async function signOut(): Promise<void> {
  await ok(api.DELETE('/session/'));
  setCsrfToken(null);
}

export const SESSION_KEY = KEY;
