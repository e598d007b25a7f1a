import { ApiError } from '../api/client.ts';

/** An ISO time as a datetime-local input's value, in the browser's time zone ('' for none). */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local input's value (the browser's time zone) as an ISO time; null when empty. */
export function fromLocalInput(value: string): string | null {
  return value === '' ? null : new Date(value).toISOString();
}

/**
 * Every problem the server listed for a refused request, one line each (`where: what`): the fields
 * of a form, or the files of an uploaded course directory. Nothing when there is no error.
 */
export function Problems({ error, intro }: { error: Error | null; intro?: string }) {
  if (!error) return null;
  const problems = error instanceof ApiError && error.problems.length > 0 ? error.problems : [{ attr: null, detail: error.message }];
  return (
    <div className="error" role="alert">
      {intro && <p>{intro}</p>}
      <ul className="problems">
        {problems.map((p, i) => (
          <li key={i}>
            {p.attr && p.attr !== 'non_field_errors' && <code>{p.attr}</code>}
            {p.attr && p.attr !== 'non_field_errors' ? ': ' : ''}
            {p.detail}
          </li>
        ))}
      </ul>
    </div>
  );
}
