import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Timestamp } from '../../../core/clock.ts';
import { AssayError } from '../../../core/errors.ts';
import type { TreeEntry } from '../../../core/files/files.service.ts';
import type { NewTreeFile } from '../../../core/files/files.service.ts';
import { AssignmentParams, AssignmentStudentParams, CourseParams } from '../params.ts';
import type { NgshareContext, NgshareRouter } from '../router.ts';
import { NGSHARE_JSON } from '../router.ts';
import { formatNgshareTimestamp, requireNgshareTimestamp } from '../timestamps.ts';
import { isListOnly, listTree, storeFilesArgument, treeResponseJson, treeResponseText, WHOLE_TREE_MAX_BYTES } from '../tree-codec.ts';

const timestampMissing = () => new AssayError('invalid', 'Please supply timestamp', { reason: 'timestamp_missing' });

/** Reads, checks and stores the `files` argument as it streams from the body (§3.1). */
async function uploadedTree(ctx: NgshareContext, files: AsyncIterable<string> | undefined): Promise<NewTreeFile[]> {
  // One file may be as large as the whole request; the request limit already bounds it.
  const limit = ctx.services.config.ngshareMaxBodyBytes;
  return storeFilesArgument(files, {
    stream: (source) => ctx.services.files.store(source, limit),
    whole: (contents) => ctx.services.files.storeMany(contents, limit),
  });
}

/**
 * Answers `{"success": true, …fields, "files": […]}`. The full form of a large tree is streamed
 * one blob chunk at a time, so it is never held in memory; a small one (a typical hand-in) is
 * built whole and sent at once; `list_only` needs no blob at all.
 */
async function sendTree(ctx: NgshareContext, fields: Record<string, unknown>, entries: TreeEntry[], listOnly: boolean): Promise<Record<string, unknown>> {
  if (listOnly || entries.length === 0) return { ...fields, files: listOnly ? listTree(entries) : [] };
  const { reply, services } = ctx;
  const bytes = entries.reduce((n, e) => n + e.size, 0);
  const body =
    bytes <= WHOLE_TREE_MAX_BYTES
      ? await treeResponseText(fields, entries, (sha, size) => services.files.read(sha, size))
      : Readable.from(treeResponseJson(fields, entries, false, (sha) => services.files.open(sha)));
  reply.code(200).type(NGSHARE_JSON).send(body);
  try {
    await finished(reply.raw);
  } catch {
    // The client went away or a blob failed mid-stream: the status is sent, nothing more can be said.
  }
  // Whatever happened, the response is this handler's: the router must not send another.
  if (!reply.sent) reply.hijack();
  return {};
}

const formatted = (t: Timestamp) => formatNgshareTimestamp(t);

/** Assignments, submissions and feedback (reference §5.2). Each handler's checks run in upstream's order. */
export function ngshareAssignmentRoutes(router: NgshareRouter): void {
  router.get('/assignments/:course_id', { params: CourseParams }, async ({ actor, services, params }) => {
    const exchange = services.exchangeAssignments;
    const access = await exchange.course(actor, params.course_id, { kind: 'member' });
    return { assignments: await exchange.assignmentIds(access) };
  });

  router.get('/assignment/:course_id/:assignment_id', { params: AssignmentParams }, async (ctx) => {
    const { actor, services, params } = ctx;
    const exchange = services.exchangeAssignments;
    const access = await exchange.course(actor, params.course_id, { kind: 'member' });
    const assignment = await exchange.assignment(access, params.assignment_id);
    const listOnly = isListOnly((await ctx.args()).argument('list_only'));
    return sendTree(ctx, {}, await exchange.treeEntries(assignment.handoutTreeId), listOnly);
  });

  router.post('/assignment/:course_id/:assignment_id', { params: AssignmentParams }, async (ctx) => {
    const { actor, services, params } = ctx;
    const exchange = services.exchangeAssignments;
    const access = await exchange.course(actor, params.course_id, { kind: 'instructor' });
    // No overwrite: 409 comes before the files are looked at (clients DELETE first).
    await exchange.assertNewAssignment(access, params.assignment_id);
    const files = await uploadedTree(ctx, (await ctx.args()).files());
    await exchange.release(access, params.assignment_id, files);
    return {};
  });

  router.delete('/assignment/:course_id/:assignment_id', { params: AssignmentParams }, async ({ actor, services, params }) => {
    const exchange = services.exchangeAssignments;
    const access = await exchange.course(actor, params.course_id, { kind: 'instructor' });
    await exchange.deleteAssignment(access, params.assignment_id);
    return {};
  });

  router.get('/submissions/:course_id/:assignment_id', { params: AssignmentParams }, async ({ actor, services, params }) => {
    const exchange = services.exchangeAssignments;
    const access = await exchange.course(actor, params.course_id, { kind: 'instructor' });
    const assignment = await exchange.assignment(access, params.assignment_id);
    const rows = await exchange.submissions(assignment);
    return { submissions: rows.map((r) => ({ student_id: r.student_id, timestamp: formatted(r.timestamp) })) };
  });

  router.get('/submissions/:course_id/:assignment_id/:student_id', { params: AssignmentStudentParams }, async ({ actor, services, params }) => {
    const exchange = services.exchangeAssignments;
    const student = params.student_id;
    const access = await exchange.course(actor, params.course_id, { kind: 'instructorOrSelf', username: student });
    const assignment = await exchange.assignment(access, params.assignment_id);
    const userId = await exchange.courseUser(access, student);
    const rows = await exchange.submissions(assignment, userId);
    return { submissions: rows.map((r) => ({ student_id: r.student_id, timestamp: formatted(r.timestamp) })) };
  });

  router.post('/submission/:course_id/:assignment_id', { params: AssignmentParams }, async (ctx) => {
    const { actor, services, params } = ctx;
    const exchange = services.exchangeAssignments;
    const access = await exchange.course(actor, params.course_id, { kind: 'member' });
    const assignment = await exchange.assignment(access, params.assignment_id);
    const files = await uploadedTree(ctx, (await ctx.args()).files());
    return { timestamp: formatted(await exchange.submit(assignment, actor.id, files)) };
  });

  router.get('/submission/:course_id/:assignment_id/:student_id', { params: AssignmentStudentParams }, async (ctx) => {
    const { actor, services, params } = ctx;
    const exchange = services.exchangeAssignments;
    const access = await exchange.course(actor, params.course_id, { kind: 'instructor' });
    const assignment = await exchange.assignment(access, params.assignment_id);
    const userId = await exchange.courseUser(access, params.student_id);
    const args = await ctx.args();
    const sent = args.argument('timestamp');
    // Absent or empty: the latest submission.
    const timestamp = sent === undefined || sent === '' ? null : requireNgshareTimestamp(sent);
    const submission = await exchange.submission(assignment, userId, timestamp);
    const entries = await exchange.treeEntries(submission.treeId);
    return sendTree(ctx, { timestamp: formatted(submission.timestamp) }, entries, isListOnly(args.argument('list_only')));
  });

  router.post('/feedback/:course_id/:assignment_id/:student_id', { params: AssignmentStudentParams }, async (ctx) => {
    const { actor, services, params } = ctx;
    const exchange = services.exchangeAssignments;
    const access = await exchange.course(actor, params.course_id, { kind: 'instructor' });
    const assignment = await exchange.assignment(access, params.assignment_id);
    const userId = await exchange.courseUser(access, params.student_id);
    const args = await ctx.args();
    const sent = args.bodyArgument('timestamp');
    if (sent === undefined) throw timestampMissing();
    const submission = await exchange.submission(assignment, userId, requireNgshareTimestamp(sent));
    const files = await uploadedTree(ctx, args.files());
    await exchange.putFeedback(assignment, userId, submission.timestamp, actor.id, files);
    return {};
  });

  router.get('/feedback/:course_id/:assignment_id/:student_id', { params: AssignmentStudentParams }, async (ctx) => {
    const { actor, services, params } = ctx;
    const exchange = services.exchangeAssignments;
    const student = params.student_id;
    const access = await exchange.course(actor, params.course_id, { kind: 'instructorOrSelf', username: student });
    const assignment = await exchange.assignment(access, params.assignment_id);
    const userId = await exchange.courseUser(access, student);
    const args = await ctx.args();
    const sent = args.queryArgument('timestamp');
    if (sent === undefined) throw timestampMissing();
    const submission = await exchange.submission(assignment, userId, requireNgshareTimestamp(sent));
    // No feedback released yet is still a success, with no files.
    const entries = await exchange.feedbackEntries(submission);
    return sendTree(ctx, { timestamp: formatted(submission.timestamp) }, entries, isListOnly(args.argument('list_only')));
  });
}
