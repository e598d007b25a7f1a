import type { BaseServices } from '../services.ts';
import { PasswordHasher } from '../identity/passwords.ts';
import { AdministeredService } from './administered.service.ts';
import { BulkService } from './bulk.service.ts';
import { ConnectedService } from './connected.service.ts';
import { ExaminingService } from './examining.service.ts';
import { GroupsService } from './groups.service.ts';
import { HierarchyService, HierarchyWrites } from './hierarchy.service.ts';
import { SessionsService } from './sessions.service.ts';

/** Devilry's hierarchy: periods, assignment groups with candidates and examiners, deadlines, deliveries, feedback. */
export interface ExaminationServices {
  groups: GroupsService;
  connected: ConnectedService;
  examining: ExaminingService;
  hierarchy: HierarchyService;
  hierarchyWrites: HierarchyWrites;
  sessions: SessionsService;
  bulk: BulkService;
  administered: AdministeredService;
}

export function buildExaminationServices(base: BaseServices): ExaminationServices {
  const { db, engine, clock } = base;
  const groups = new GroupsService(db, engine, clock);
  const hierarchy = new HierarchyService(db, clock);
  const examining = new ExaminingService(db, engine, clock, base.files);
  const administered = new AdministeredService(db, engine, clock);
  return {
    administered,
    groups,
    connected: new ConnectedService(db, engine, clock),
    examining,
    bulk: new BulkService(db, groups, examining, administered),
    hierarchy,
    hierarchyWrites: new HierarchyWrites(hierarchy),
    sessions: new SessionsService(db, new PasswordHasher(base.config.argon2MemoryKiB), base.users, base.tokens, base.signIn.limits, base.config.devilry.sessionSeconds),
  };
}
