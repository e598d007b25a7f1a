import type { HiveRoutes } from '../plugin.ts';
import { authRoutes } from './auth.ts';
import { metaRoutes } from './meta.ts';
import { tagRoutes } from './tags.ts';
import { userRoutes } from './users.ts';
import { courseTreeRoutes } from './course-tree.ts';
import { exerciseRoutes } from './exercises.ts';
import { fieldRoutes } from './fields.ts';
import { helpRoutes } from './help.ts';
import { notificationRoutes } from './notifications.ts';
import { assignmentRoutes } from './assignments.ts';
import { assignmentResponseRoutes } from './assignment-responses.ts';
import { queueRoutes } from './queues.ts';
import { classRoutes } from './classes.ts';
import { seatingRoutes } from './seating.ts';
import { registerRoutes } from './register.ts';
import { scheduleRoutes } from './schedule.ts';

/** Every route module of the Hive Core API, mounted under `/api/core`. */
export const hiveRoutes: HiveRoutes[] = [authRoutes, metaRoutes, tagRoutes, userRoutes, courseTreeRoutes, exerciseRoutes, fieldRoutes, helpRoutes, notificationRoutes, assignmentRoutes, assignmentResponseRoutes, queueRoutes, classRoutes, seatingRoutes, registerRoutes, scheduleRoutes];
