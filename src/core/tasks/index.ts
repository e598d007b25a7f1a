import type { BaseServices } from '../services.ts';
import { SessionsService } from './sessions.ts';
import type { ImportReport } from './task-import.ts';
import { importInginiousCourse } from './task-import.ts';
import { TasksService } from './tasks.service.ts';

/** INGInious' tasks: problems, answers, graded submissions, login sessions, task.yaml import. */
export interface TaskServices {
  tasks: TasksService;
  sessions: SessionsService;
  /** `assay inginious import DIR` (trusted). */
  importCourse(dir: string, options?: { slug?: string }): Promise<ImportReport>;
}

export function buildTaskServices(base: BaseServices): TaskServices {
  const settings = base.config.inginious;
  return {
    tasks: new TasksService(base, { maxFileBytes: settings.maxFileBytes, allowedExts: settings.allowedExts }),
    sessions: new SessionsService(base, settings.sessionSeconds),
    importCourse: (dir, options) => importInginiousCourse(base, dir, options),
  };
}
