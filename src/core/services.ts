import type { BlobStore } from '../blobs/store.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import type { Engine } from '../db/columns.ts';
import type { Clock } from './clock.ts';
import { FilesService } from './files/files.service.ts';
import { PasswordHasher } from './identity/passwords.ts';
import { TokensService } from './identity/tokens.service.ts';
import { UsersService } from './identity/users.service.ts';
import { EnrolmentService } from './enrolment/enrolment.service.ts';
import { AuditService } from './audit/audit.service.ts';
import { PasswordSignIn, SignInLimits } from './identity/sign-in-limits.ts';
import { MemoryAttemptStore } from './identity/memory-attempt-store.ts';
import { RedisAttemptStore } from '../redis/attempt-store.ts';
import type { Redis } from '../redis/connection.ts';
import { TagsService } from './courses/tags.service.ts';
import { ProgramsService } from './courses/programs.service.ts';
import { CourseAdminService } from './courses/course-admin.service.ts';
import { ExerciseSettingsService } from './courses/exercise-settings.service.ts';
import { SubjectsService } from './courses/subjects.service.ts';
import { ModulesService } from './courses/modules.service.ts';
import { ExercisesService } from './courses/exercises.service.ts';
import { FieldsService } from './courses/fields.service.ts';
import { ProblemsService } from './courses/problems.service.ts';
import { GradersService } from './grading/graders.service.ts';
import { ResultsService } from './grading/results.service.ts';
import { SubmissionsService } from './grading/submissions.service.ts';
import { NotificationsService } from './notifications/notifications.service.ts';
import { AssignmentsService } from './assignments/assignments.service.ts';
import { ResponsesService } from './assignments/responses.service.ts';
import { AutocheckRecorder } from './assignments/autocheck-recorder.ts';
import { SystemUser } from './identity/system-user.ts';
import { HelpService } from './help/help.service.ts';
import { HelpResponsesService } from './help/help-responses.service.ts';
import { ExchangeCoursesService } from './exchange/exchange-courses.service.ts';
import { ExchangeAssignmentsService } from './exchange/exchange-assignments.service.ts';
import { createGradingQueue, type GradingQueue } from '../grading/queue/index.ts';
import { QueuesService } from './queues/queues.service.ts';
import { PathService } from './queues/path.service.ts';
import { ScheduleService } from './schedule/schedule.service.ts';
import { ClassesService } from './classes/classes.service.ts';
import { SeatingService } from './classes/seating.service.ts';
import { RegistrationService } from './identity/registration.service.ts';
import { buildOAuthServices, type OAuthServices } from './oauth/index.ts';
import { buildAssessmentServices, type AssessmentServices } from './assessments/index.ts';
import { buildTaskServices, type TaskServices } from './tasks/index.ts';
import { buildExaminationServices, type ExaminationServices } from './examination/index.ts';
import { InProcessEventBus, type EventBus } from './events/event-bus.ts';
import { LiveEventsService } from './events/live-events.service.ts';
import { ProgressService } from './progress/progress.service.ts';
import { GradebookService } from './gradebook/gradebook.service.ts';
import { AdminService } from './admin/admin.service.ts';
import { HelpQuestions } from './help/help-questions.ts';
import { SubmissionView } from './progress/submission-view.ts';
import { GraderTrialsService } from './grading/grader-trials.service.ts';
import { CourseQueueService } from './grading/course-queue.service.ts';
import { buildReviewServices, type ReviewServices } from './review/index.ts';
import { SimilarityService } from './similarity/similarity.service.ts';

/** Everything the dialects call, built once per process. */
export interface Services {
  db: Db;
  engine: Engine;
  clock: Clock;
  config: Config;
  blobs: BlobStore;
  /** Redis shared by every server (ASSAY_REDIS_URL) for rate limits and sign-in limits; null: counted per process. */
  redis: Redis | null;
  files: FilesService;
  users: UsersService;
  /** Course membership: the one enrolment operation every dialect writes through. */
  enrolment: EnrolmentService;
  /** A course's audit trail of grade, role and extension changes (written by recordAudit). */
  audit: AuditService;
  /** Password sign-in within the failed-attempt limits (`signIn.limits` for other credentials). */
  signIn: PasswordSignIn;
  tokens: TokensService;
  tags: TagsService;
  programs: ProgramsService;
  subjects: SubjectsService;
  modules: ModulesService;
  exercises: ExercisesService;
  fields: FieldsService;
  problems: ProblemsService;
  graders: GradersService;
  grading: GradingQueue;
  submissions: SubmissionsService;
  help: HelpService;
  helpResponses: HelpResponsesService;
  notifications: NotificationsService;
  assignments: AssignmentsService;
  responses: ResponsesService;
  systemUser: SystemUser;
  exchangeCourses: ExchangeCoursesService;
  exchangeAssignments: ExchangeAssignmentsService;
  queues: QueuesService;
  paths: PathService;
  schedule: ScheduleService;
  classes: ClassesService;
  seating: SeatingService;
  registration: RegistrationService;
  /** Live events (grading steps, checker inboxes) pushed to browsers. */
  liveEvents: LiveEventsService;
  /** OAuth2 server (Autolab's clients). */
  oauth: OAuthServices;
  /** Autolab's assessments. */
  assessments: AssessmentServices;
  /** INGInious' tasks. */
  tasks: TaskServices;
  /** Devilry's hierarchy. */
  examination: ExaminationServices;
  /** The checker's side of the web app: inbox, line comments, reviews. */
  review: ReviewServices;
  /** A student's own progress: courses, what is due next, curriculum, an exercise before handing in. */
  progress: ProgressService;
  /** Students' questions about an exercise (Hive help threads with the question as first reply). */
  questions: HelpQuestions;
  /** A submission's page: queue position, review comments, staff grade, file contents. */
  submissionView: SubmissionView;
  /** Running a course from the browser: a new course, a course directory uploaded as a zip. */
  courseAdmin: CourseAdminService;
  /** An exercise's deadlines, limits, visibility and late policy on one page. */
  exerciseSettings: ExerciseSettingsService;
  /** The grader workbench: staff run an exercise's grader on its reference solution or a submission, nothing recorded. */
  graderTrials: GraderTrialsService;
  /** A course's grading queue for its staff (live jobs, failed ones run again) and an exercise's rerun progress. */
  courseQueue: CourseQueueService;
  /** A course's students × exercises for its staff, and its CSV exports. */
  gradebook: GradebookService;
  /** The admin pages: accounts, OAuth clients, everyone's tokens, the server's health. */
  admin: AdminService;
  /** An exercise's similarity reports (Dolos), computed in the background of the server asked. */
  similarity: SimilarityService;
}

/** What the areas built last (one per dialect's own concepts) are built from. */
export type BaseServices = Omit<Services, 'oauth' | 'assessments' | 'tasks' | 'examination' | 'review' | 'progress' | 'questions' | 'submissionView' | 'courseAdmin' | 'exerciseSettings' | 'gradebook' | 'admin' | 'graderTrials' | 'courseQueue' | 'similarity'>;

export function buildServices(deps: { db: Db; engine: Engine; clock: Clock; config: Config; blobs: BlobStore; jwtSecret: string; redis?: Redis | null; bus?: EventBus }): Services {
  const { db, clock, config, blobs } = deps;
  const files = new FilesService(db, blobs, clock, config.maxUploadBytes, deps.engine, config.unzip);
  const hasher = new PasswordHasher(config.argon2MemoryKiB);
  const exercises = new ExercisesService(db, clock, files);
  const graders = new GradersService(db, clock, files, exercises);
  const grading = createGradingQueue(deps);
  const results = new ResultsService(clock);
  const systemUser = new SystemUser(db, clock, deps.engine);
  const autochecks = new AutocheckRecorder(clock, systemUser);
  grading.setResultRecorder(async (trx, job, result) => {
    await results.recordGradeResult(trx, job, result);
    await autochecks.record(trx, job, result);
  });
  const fields = new FieldsService(db, clock, exercises);
  const assignments = new AssignmentsService(db, clock, exercises);
  const submissions = new SubmissionsService(db, clock, files, exercises, grading);
  const help = new HelpService(db, clock, exercises, deps.engine);
  const exchangeCourses = new ExchangeCoursesService(db, clock, config.ngshareAdmins);
  const classes = new ClassesService(db, clock);
  const users = new UsersService(db, clock, hasher);
  const nowMs = () => clock.nowMs();
  const redis = deps.redis ?? null;
  const attempts = redis && config.redis ? new RedisAttemptStore(redis, config.redis.keyPrefix, nowMs) : new MemoryAttemptStore(nowMs);
  const base: BaseServices = {
    ...deps,
    redis,
    files,
    users,
    enrolment: new EnrolmentService(db, clock, hasher),
    audit: new AuditService(db),
    signIn: new PasswordSignIn(new SignInLimits(attempts, config.signIn, nowMs), users),
    tokens: new TokensService(db, clock, deps.jwtSecret, config.accessTokenSeconds, config.refreshTokenSeconds),
    tags: new TagsService(db),
    programs: new ProgramsService(db, clock),
    subjects: new SubjectsService(db, clock),
    modules: new ModulesService(db, clock),
    exercises,
    fields,
    problems: new ProblemsService(db, exercises),
    graders,
    grading,
    submissions,
    help,
    helpResponses: new HelpResponsesService(db, clock, help),
    notifications: new NotificationsService(db, clock),
    assignments,
    responses: new ResponsesService(db, clock, files, fields, exercises, assignments, graders, grading, systemUser),
    systemUser,
    exchangeCourses,
    exchangeAssignments: new ExchangeAssignmentsService(db, clock, files, exchangeCourses, grading),
    queues: new QueuesService(db, clock),
    paths: new PathService(db, clock),
    schedule: new ScheduleService(db, clock, { modules: new ModulesService(db, clock), exercises, fields }),
    classes,
    seating: new SeatingService(db, classes),
    registration: new RegistrationService(db, clock, hasher, config.registrationSecret),
    liveEvents: new LiveEventsService(db, deps.bus ?? new InProcessEventBus(), grading, submissions, exercises),
  };
  const assessments = buildAssessmentServices(base);
  const review = buildReviewServices(base);
  const oauth = buildOAuthServices(base);
  return {
    ...base,
    oauth,
    assessments,
    tasks: buildTaskServices(base),
    examination: buildExaminationServices(base),
    review,
    submissionView: new SubmissionView(db, blobs, base.submissions, review),
    progress: new ProgressService(db, clock, exercises, fields, files, assessments.lateness, config.maxUploadBytes),
    questions: new HelpQuestions(db, exercises, base.help, base.helpResponses),
    courseAdmin: new CourseAdminService(base),
    exerciseSettings: new ExerciseSettingsService(db, clock, exercises, assessments.catalog),
    graderTrials: new GraderTrialsService(db, files, exercises, graders, base.problems),
    courseQueue: new CourseQueueService(db, clock, base.programs, exercises, grading),
    gradebook: new GradebookService(db),
    similarity: new SimilarityService(db, clock, files, exercises),
    admin: new AdminService(db, clock, users, oauth, { db, engine: deps.engine, blobs, grading }),
  };
}
