import type { Services } from '../services.ts';

export interface ScheduleJobsLog {
  info(message: string): void;
  error(message: string): void;
}

export interface ScheduleJobs {
  /** Settles when the first import and the first scheduler pass are done. */
  firstRun: Promise<void>;
  stop(): void;
}

/** Runs `job` now and then every `ms`, never two at once, reporting failures instead of throwing. */
function every(ms: number, job: () => Promise<void>, onError: (e: unknown) => void): { first: Promise<void>; stop: () => void } {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await job();
    } catch (e) {
      onError(e);
    } finally {
      running = false;
    }
  };
  const first = run();
  const timer = setInterval(() => void run(), ms);
  timer.unref();
  return { first, stop: () => clearInterval(timer) };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The server's timetable work: import `ASSAY_SCHEDULE_ICAL_URL` every
 * `ASSAY_SCHEDULE_REFRESH_MINUTES`, and pass the lesson scheduler every
 * `ASSAY_SCHEDULE_TICK_SECONDS`. The timers only pace the work; what is due is decided by the
 * services' clock, which is what the tests drive.
 */
export function startScheduleJobs(services: Services, log: ScheduleJobsLog): ScheduleJobs {
  const { scheduleIcalUrl, scheduleRefreshMinutes, scheduleTickSeconds } = services.config;
  const jobs: { first: Promise<void>; stop: () => void }[] = [];
  if (scheduleIcalUrl) {
    jobs.push(
      every(
        scheduleRefreshMinutes * 60_000,
        async () => {
          const r = await services.schedule.importCalendar(scheduleIcalUrl);
          log.info(`schedule import: ${r.created} created, ${r.updated} updated, ${r.deleted} deleted, ${r.skipped} skipped`);
        },
        (e) => log.error(`schedule import from ${scheduleIcalUrl} failed: ${message(e)}`),
      ),
    );
  }
  jobs.push(
    every(
      scheduleTickSeconds * 1000,
      async () => {
        const { applied } = await services.schedule.scheduler.tick();
        for (const a of applied) log.info(`lesson ${a.lessonId} applied to class ${a.classId} (event ${a.eventId})`);
      },
      (e) => log.error(`lesson scheduler failed: ${message(e)}`),
    ),
  );
  return {
    firstRun: Promise.all(jobs.map((j) => j.first)).then(() => undefined),
    stop: () => jobs.forEach((j) => j.stop()),
  };
}
