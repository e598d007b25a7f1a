import { ApiError } from '../api/client.ts';

/** Why a page could not show, in the server's words where it gave some. */
export function Failure({ error }: { error: Error }) {
  const text = error instanceof ApiError && error.status === 404 ? 'Not found, or not yours to see.' : error.message;
  return (
    <p className="error" role="alert">
      {text}
    </p>
  );
}
