import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { OPERATOR } from '../core/enrolment/enrolment.service.ts';
import { exerciseCsv, gradebookCsv } from '../core/gradebook/gradebook-csv.ts';
import type { Services } from '../core/services.ts';
import type { Flags } from './commands.ts';

/**
 * `assay gradebook export COURSE [--exercise ID] [--output FILE]`: the course's gradebook (or one
 * exercise's column, by id or slug) as the web app's CSV export writes it, to stdout or FILE.
 */
export async function gradebookCommand(services: Services, course: string, flags: Flags): Promise<number> {
  const exercise = typeof flags.exercise === 'string' ? flags.exercise : undefined;
  let csv;
  if (exercise === undefined) {
    csv = gradebookCsv(await services.gradebook.gradebook(OPERATOR, { slug: course }));
  } else {
    const { gradebook, index } = await services.gradebook.exerciseSheet(OPERATOR, { slug: course }, /^\d+$/.test(exercise) ? Number(exercise) : exercise);
    csv = exerciseCsv(gradebook, index);
  }
  if (typeof flags.output === 'string') await pipeline(csv, fs.createWriteStream(flags.output));
  else await pipeline(csv, process.stdout, { end: false });
  return 0;
}
