import type { Db } from '../../db/database.ts';
import type { Clock } from '../clock.ts';
import { assessmentRefusal } from './access.ts';
import type { Assessment, CourseContext } from './assessments.service.ts';
import type { GroupRecord, MemberRecord } from './people.repo.ts';
import { peopleRepo } from './people.repo.ts';

export interface GroupMember {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  course_user_datum_id: number | null;
}

export interface Group extends GroupRecord {
  members?: GroupMember[];
}

export interface NewGroup {
  name?: string;
  group_members: string[];
}

const member = (m: MemberRecord): GroupMember => ({ id: m.user_id, email: m.email, first_name: m.first_name, last_name: m.last_name, course_user_datum_id: m.enrollment_id });
const groupNotFound = (id: string | number, shown: boolean) => assessmentRefusal('not_found', 'group_not_found', { group: id, shown });

/** Autolab's groups of an assessment (instructors only; openCourse checked that). */
export class GroupsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  private async withMembers(exerciseId: number, groups: GroupRecord[]): Promise<Group[]> {
    const members = await peopleRepo.members(this.db, exerciseId, groups.map((g) => g.id));
    return groups.map((g) => ({ ...g, members: members.filter((m) => m.group_id === g.id).map(member) }));
  }

  async list(target: Assessment, showMembers: boolean): Promise<Group[]> {
    const groups = await peopleRepo.groups(this.db, target.id);
    return showMembers ? this.withMembers(target.id, groups) : groups;
  }

  async show(target: Assessment, id: string): Promise<Group> {
    const n = /^\d{1,9}$/.test(id) ? Number(id) : null;
    const group = n === null ? undefined : await peopleRepo.group(this.db, target.id, n);
    if (!group) throw groupNotFound(id, true);
    return (await this.withMembers(target.id, [group]))[0]!;
  }

  /**
   * Creates the groups (members confirmed at once). Unknown emails, people outside the course and
   * people already in a group are skipped; a group left empty is not created. All of it or nothing.
   */
  async create(ctx: CourseContext, target: Assessment, groups: NewGroup[]): Promise<Group[]> {
    if (target.group_size <= 1) throw assessmentRefusal('invalid', 'groups_not_allowed', { group_size: target.group_size });
    if (groups.some((g) => g.group_members.length > target.group_size)) throw assessmentRefusal('invalid', 'group_too_large');
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const taken = new Set<number>();
      for (const g of groups) {
        const ids: number[] = [];
        for (const email of g.group_members) {
          for (const u of await peopleRepo.usersByEmail(trx, email)) {
            if (!(await peopleRepo.enrollment(trx, ctx.course.id, u.id))) continue;
            if (!taken.has(u.id) && !ids.includes(u.id)) ids.push(u.id);
            break;
          }
        }
        const grouped = await peopleRepo.grouped(trx, target.id, ids);
        const fresh = ids.filter((id) => !grouped.has(id) && !taken.has(id));
        if (fresh.length === 0) continue;
        fresh.forEach((id) => taken.add(id));
        await peopleRepo.createGroup(trx, target.id, g.name?.trim() || 'Unnamed Group', fresh, now);
      }
    });
    return peopleRepo.groups(this.db, target.id);
  }

  /** Deletes the group; its members are ungrouped. */
  async destroy(target: Assessment, id: string): Promise<number> {
    const n = /^\d{1,9}$/.test(id) ? Number(id) : null;
    const group = n === null ? undefined : await peopleRepo.group(this.db, target.id, n);
    if (!group) throw groupNotFound(id, false);
    const gone = await this.db.transaction().execute((trx) => peopleRepo.deleteGroup(trx, group.id));
    if (!gone) throw groupNotFound(id, false);
    return group.id;
  }

  /** The user's group mates on the assessment (themselves included, first), with each one's status; alone: just them. */
  async mates(exerciseId: number, userId: number): Promise<{ userId: number; status: string }[]> {
    const mine = await peopleRepo.membershipOf(this.db, exerciseId, userId);
    if (!mine) return [{ userId, status: 'confirmed' }];
    const all = await peopleRepo.members(this.db, exerciseId, [mine.group_id]);
    return [{ userId, status: mine.status }, ...all.filter((m) => m.user_id !== userId).map((m) => ({ userId: m.user_id, status: m.status }))];
  }
}
