import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCalendar } from '../../src/core/schedule/ical-import.ts';
import { startScheduleJobs } from '../../src/core/schedule/schedule-jobs.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { makeCourseTree } from '../helpers/fixtures.ts';

const cal = (...lines: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
const ev = (...lines: string[]) => ['BEGIN:VEVENT', 'DTSTAMP:20260101T000000Z', ...lines, 'END:VEVENT'].join('\r\n');

describe('iCalendar parsing', () => {
  it('converts zoned, UTC, floating and all-day times to UTC timestamps', () => {
    const { events, skipped } = parseCalendar(
      cal(
        'BEGIN:VTIMEZONE',
        'TZID:Asia/Jerusalem',
        'BEGIN:STANDARD',
        'DTSTART:19701025T020000',
        'TZOFFSETFROM:+0300',
        'TZOFFSETTO:+0200',
        'END:STANDARD',
        'END:VTIMEZONE',
        ev('UID:zoned', 'DTSTART;TZID=Asia/Jerusalem:20260115T090000', 'DTEND;TZID=Asia/Jerusalem:20260115T103000', 'SUMMARY:Zoned'),
        ev('UID:utc', 'DTSTART:20260115T090000Z', 'DURATION:PT45M', 'SUMMARY:Utc'),
        ev('UID:floating', 'DTSTART:20260115T090000', 'DTEND:20260115T100000'),
        ev('UID:allday', 'DTSTART;VALUE=DATE:20260116', 'DTEND;VALUE=DATE:20260117'),
      ),
    );
    assert.equal(skipped, 0);
    assert.deepEqual(
      events.map((e) => [e.uid, e.start, e.end, e.title]),
      [
        ['zoned', '2026-01-15T07:00:00.000000Z', '2026-01-15T08:30:00.000000Z', 'Zoned'],
        ['utc', '2026-01-15T09:00:00.000000Z', '2026-01-15T09:45:00.000000Z', 'Utc'],
        ['floating', '2026-01-15T09:00:00.000000Z', '2026-01-15T10:00:00.000000Z', null],
        ['allday', '2026-01-16T00:00:00.000000Z', '2026-01-17T00:00:00.000000Z', null],
      ],
    );
  });

  it('reads the links: lesson, type, categories, attendees, color, cancellation', () => {
    const [e] = parseCalendar(
      cal(
        ev(
          'UID:x',
          'DTSTART:20260115T090000Z',
          'DTEND:20260115T100000Z',
          'X-ASSAY-LESSON:Loops',
          'X-ASSAY-TYPE:עע',
          'CATEGORIES:a,פתבס',
          'ATTENDEE;CN=Room 1:mailto:Room1@School.example',
          'ATTENDEE:urn:uuid:123',
          'COLOR:blue',
          'STATUS:CANCELLED',
          'LOCATION:Lab',
        ),
      ),
    ).events;
    assert.deepEqual(e, {
      uid: 'x',
      start: '2026-01-15T09:00:00.000000Z',
      end: '2026-01-15T10:00:00.000000Z',
      title: null,
      location: 'Lab',
      lesson: 'Loops',
      type: 'עע',
      categories: ['a', 'פתבס'],
      attendees: [
        { cn: 'Room 1', email: 'room1@school.example' },
        { cn: null, email: null },
      ],
      color: 'blue',
      cancelled: true,
    });
  });

  it('skips events without UID and moved occurrences; refuses text that is not iCalendar', () => {
    const parsed = parseCalendar(
      cal(
        ev('DTSTART:20260115T090000Z'),
        ev('UID:r', 'DTSTART:20260115T090000Z', 'RRULE:FREQ=DAILY;COUNT=3'),
        ev('UID:r', 'RECURRENCE-ID:20260116T090000Z', 'DTSTART:20260116T100000Z'),
      ),
    );
    assert.deepEqual([parsed.events.map((e) => e.uid), parsed.skipped], [['r'], 2]);
    assert.throws(() => parseCalendar('hello'), { kind: 'invalid' });
    assert.throws(() => parseCalendar('BEGIN:VCARD\r\nEND:VCARD\r\n'), { kind: 'invalid' });
  });
});

describe('iCalendar import into the database', () => {
  let server: TestServer;
  let dir: string;
  let web: http.Server;
  let webUrl: string;
  let served = '';

  before(async () => {
    server = await startTestServer();
    dir = server.dataDir;
    web = http.createServer((req, res) => {
      if (req.url === '/cal.ics') res.writeHead(200, { 'content-type': 'text/calendar' }).end(served);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => web.close(resolve));
    await server.close();
  });

  const events = () => server.services.db.selectFrom('events').selectAll().orderBy('uid').execute();

  it('imports a file, and importing again updates by UID instead of duplicating; a cancellation deletes', async () => {
    const world = await makeCourseTree(server);
    const lesson = await server.services.db.insertInto('lessons').values({ name: 'Loops lesson', module_id: world.module.id }).returning('id').executeTakeFirstOrThrow();
    const room = await server.services.db
      .insertInto('classes')
      .values({ course_id: world.program.id, name: 'Room 1', email: 'r1@school.example', created_at: server.services.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const file = path.join(dir, 'a.ics');
    fs.writeFileSync(
      file,
      cal(
        ev('UID:one', 'DTSTART:20260115T090000Z', 'DTEND:20260115T100000Z', 'SUMMARY:First', 'X-ASSAY-LESSON:Loops lesson', 'ATTENDEE;CN=Whoever:mailto:R1@school.example'),
        ev('UID:two', 'DTSTART:20260115T110000Z', 'DTEND:20260115T120000Z', 'SUMMARY:Second', `X-ASSAY-LESSON:${lesson.id}`, 'X-ASSAY-TYPE:bogus'),
      ),
    );
    assert.deepEqual(await server.services.schedule.importCalendar(file), { created: 2, updated: 0, deleted: 0, skipped: 0 });
    let rows = await events();
    assert.deepEqual(
      rows.map((r) => [r.uid, r.title, r.lesson_id, r.type, JSON.parse(r.attendees ?? 'null')]),
      [
        ['one', 'First', lesson.id, 'הרצאה', [{ id: room.id, name: 'Room 1' }]],
        ['two', 'Second', lesson.id, 'הרצאה', []],
      ],
    );
    const firstId = rows[0]!.id;
    fs.writeFileSync(file, cal(ev('UID:one', 'DTSTART:20260115T093000Z', 'DTEND:20260115T100000Z', 'SUMMARY:First, moved'), ev('UID:two', 'DTSTART:20260115T110000Z', 'STATUS:CANCELLED')));
    assert.deepEqual(await server.services.schedule.importCalendar(file), { created: 0, updated: 1, deleted: 1, skipped: 0 });
    rows = await events();
    assert.deepEqual(
      rows.map((r) => [r.id, r.uid, r.title, r.start_at, r.lesson_id]),
      [[firstId, 'one', 'First, moved', '2026-01-15T09:30:00.000000Z', null]],
    );
  });

  it('imports from a URL, and reports a failing URL', async () => {
    served = cal(ev('UID:web', 'DTSTART:20260201T090000Z', 'DTEND:20260201T100000Z', 'SUMMARY:From the web'));
    assert.equal((await server.services.schedule.importCalendar(`${webUrl}/cal.ics`)).created, 1);
    assert.ok((await events()).some((e) => e.uid === 'web'));
    await assert.rejects(server.services.schedule.importCalendar(`${webUrl}/missing.ics`), { kind: 'unavailable' });
  });

  it('the server job imports ASSAY_SCHEDULE_ICAL_URL on start and reports failures to the log', async () => {
    const file = path.join(dir, 'jobs.ics');
    fs.writeFileSync(file, cal(ev('UID:job', 'DTSTART:20260301T090000Z', 'DTEND:20260301T100000Z', 'SUMMARY:By the job')));
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(`info ${m}`), error: (m: string) => lines.push(`error ${m}`) };
    const jobs = startScheduleJobs({ ...server.services, config: { ...server.config, scheduleIcalUrl: file } }, log);
    await jobs.firstRun;
    jobs.stop();
    assert.ok((await events()).some((e) => e.uid === 'job'));
    assert.ok(lines.includes('info schedule import: 1 created, 0 updated, 0 deleted, 0 skipped'), lines.join('\n'));
    const failing = startScheduleJobs({ ...server.services, config: { ...server.config, scheduleIcalUrl: path.join(dir, 'missing.ics') } }, log);
    await failing.firstRun;
    failing.stop();
    assert.ok(lines.some((l) => l.startsWith('error schedule import from')));
  });
});
