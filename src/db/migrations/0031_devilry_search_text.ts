import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from '../columns.ts';

/**
 * What a Devilry `query` word is matched against on a group, kept on the group itself so that a
 * search reads one column of the examiner's groups instead of probing their tags, candidates and
 * candidate ids one group at a time (bench:devilry). `search_text` serves groups of open
 * assignments: the group's name, its tags, and its candidates' usernames, first and last names and
 * emails; `search_text_anonymous` serves anonymous ones: the name, the tags and the candidate ids.
 * The values are joined by a space, which no query word contains (the query is split on
 * whitespace), so a word is in the text exactly when it is in one of the values.
 *
 * PostgreSQL keeps the texts case-folded as the search folds (translate(lower(…), 'ς', 'σ'), see
 * db/case-fold.ts), so a search reads them without folding each one again; SQLite keeps them as
 * they are, for LIKE, which folds ASCII without copying (the fold it registers is not there for
 * every connection that may write, so no trigger can call it).
 *
 * Triggers keep both up to date on every write of the rows they are made of, whoever writes them
 * (a user renamed through any API, a member added or removed by a cascade), on both engines.
 */
const concat = (engine: Engine, expr: string) => (engine === 'postgres' ? `string_agg(${expr}, ' ')` : `group_concat(${expr}, ' ')`);

/** The two columns' values for the groups `where` selects (a condition on `devilry_groups`). */
function refresh(engine: Engine, where: string): string {
  const tags = `COALESCE((SELECT ${concat(engine, 't.tag')} FROM devilry_group_tags t WHERE t.assignment_id = devilry_groups.assignment_id), '')`;
  const people = `COALESCE((SELECT ${concat(engine, "u.username || ' ' || u.first_name || ' ' || u.last_name || ' ' || u.email")}
      FROM assignment_members m JOIN users u ON u.id = m.user_id
      WHERE m.assignment_id = devilry_groups.assignment_id AND m.role = 'candidate'), '')`;
  const ids = `COALESCE((SELECT ${concat(engine, 'c.candidate_id')} FROM devilry_candidate_ids c WHERE c.assignment_id = devilry_groups.assignment_id), '')`;
  const folded = (text: string) => (engine === 'postgres' ? `translate(lower(${text}), 'ς', 'σ')` : text);
  return `UPDATE devilry_groups SET
      search_text = ${folded(`devilry_groups.name || ' ' || ${tags} || ' ' || ${people}`)},
      search_text_anonymous = ${folded(`devilry_groups.name || ' ' || ${tags} || ' ' || ${ids}`)}
    WHERE ${where}`;
}

/** Tables whose rows name their group in `assignment_id`, and when a write of one changes the texts. */
const BY_GROUP: { table: string; events: string; when?: string }[] = [
  { table: 'devilry_groups', events: 'INSERT' },
  { table: 'devilry_groups', events: 'UPDATE OF name' },
  { table: 'devilry_group_tags', events: 'INSERT' },
  { table: 'devilry_group_tags', events: 'UPDATE' },
  { table: 'devilry_group_tags', events: 'DELETE' },
  { table: 'devilry_candidate_ids', events: 'INSERT' },
  { table: 'devilry_candidate_ids', events: 'UPDATE' },
  { table: 'devilry_candidate_ids', events: 'DELETE' },
  { table: 'assignment_members', events: 'INSERT', when: "NEW.role = 'candidate'" },
  { table: 'assignment_members', events: 'UPDATE' },
  { table: 'assignment_members', events: 'DELETE', when: "OLD.role = 'candidate'" },
];
const USER_COLUMNS = ['username', 'first_name', 'last_name', 'email'];
const USER_CHANGED = USER_COLUMNS.map((c) => `OLD.${c} IS DISTINCT FROM NEW.${c}`).join(' OR ');
const OF_USER = (id: string) => `assignment_id IN (SELECT assignment_id FROM assignment_members WHERE user_id = ${id} AND role = 'candidate')`;

async function sqliteTriggers(db: Kysely<unknown>): Promise<void> {
  for (const [i, t] of BY_GROUP.entries()) {
    const event = t.events.split(' ')[0]!;
    const rows = event === 'INSERT' ? ['NEW'] : event === 'DELETE' ? ['OLD'] : ['OLD', 'NEW'];
    const body = rows.map((r) => `${refresh('sqlite', `assignment_id = ${r}.assignment_id`)};`).join('\n');
    await sql.raw(`CREATE TRIGGER devilry_search_${i} AFTER ${t.events} ON ${t.table} FOR EACH ROW ${t.when ? `WHEN ${t.when}` : ''} BEGIN ${body} END`).execute(db);
  }
  await sql.raw(`CREATE TRIGGER devilry_search_users AFTER UPDATE OF ${USER_COLUMNS.join(', ')} ON users FOR EACH ROW WHEN ${USER_CHANGED} BEGIN ${refresh('sqlite', OF_USER('NEW.id'))}; END`).execute(db);
}

async function postgresTriggers(db: Kysely<unknown>): Promise<void> {
  // PL/pgSQL keeps each statement's plan for the session (a bulk insert plans the update once);
  // `SET search_path FROM CURRENT`: the functions find this schema's tables whatever the session's path.
  await sql.raw(`CREATE FUNCTION devilry_search_by_group() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    BEGIN
      IF TG_OP <> 'INSERT' THEN ${refresh('postgres', 'assignment_id = OLD.assignment_id')}; END IF;
      IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.assignment_id IS DISTINCT FROM OLD.assignment_id) THEN
        ${refresh('postgres', 'assignment_id = NEW.assignment_id')};
      END IF;
      RETURN NULL;
    END $$`).execute(db);
  await sql.raw(`CREATE FUNCTION devilry_search_by_user() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    BEGIN
      ${refresh('postgres', OF_USER('NEW.id'))};
      RETURN NULL;
    END $$`).execute(db);
  for (const [i, t] of BY_GROUP.entries()) {
    await sql.raw(`CREATE TRIGGER devilry_search_${i} AFTER ${t.events} ON ${t.table} FOR EACH ROW ${t.when ? `WHEN (${t.when})` : ''} EXECUTE FUNCTION devilry_search_by_group()`).execute(db);
  }
  await sql.raw(`CREATE TRIGGER devilry_search_users AFTER UPDATE OF ${USER_COLUMNS.join(', ')} ON users FOR EACH ROW WHEN (${USER_CHANGED}) EXECUTE FUNCTION devilry_search_by_user()`).execute(db);
}

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  for (const column of ['search_text', 'search_text_anonymous']) {
    await sql.raw(`ALTER TABLE devilry_groups ADD COLUMN ${column} TEXT NOT NULL DEFAULT ''`).execute(db);
  }
  await sql.raw(refresh(engine, '1 = 1')).execute(db);
  await (engine === 'postgres' ? postgresTriggers(db) : sqliteTriggers(db));
}
