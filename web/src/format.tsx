// Small shared pieces of text: dates, scores, statuses.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function When({ at, empty = '—' }: { at: string | null | undefined; empty?: string }) {
  if (!at) return <>{empty}</>;
  return <time dateTime={at}>{dateTime.format(new Date(at))}</time>;
}

export function score(points: number | null | undefined, max: number | null | undefined): string {
  if (points === null || points === undefined) return '—';
  return max === null || max === undefined ? `${points}` : `${points} / ${max}`;
}

export function Status({ status }: { status: string | null | undefined }) {
  const text = status ?? 'Not started';
  return <span className={`status status-${text.toLowerCase().replace(/\s+/g, '-')}`}>{text}</span>;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
