import { isAssayError } from '../core/errors.ts';
import type { Services } from '../core/services.ts';

const out = (line: string) => process.stdout.write(line + '\n');

/** `assay schedule import FILE|URL`: loads timetable events from iCalendar; prints the counts. */
export async function scheduleCommand(services: Services, source: string): Promise<number> {
  try {
    const r = await services.schedule.importCalendar(source);
    out(`imported ${source}: ${r.created} created, ${r.updated} updated, ${r.deleted} deleted, ${r.skipped} skipped`);
    return 0;
  } catch (err) {
    if (!isAssayError(err)) throw err;
    process.stderr.write(`assay: ${source} was not imported: ${err.message}\n`);
    return 1;
  }
}
