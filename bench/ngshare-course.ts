/**
 * What bench:ngshare loads into a server before measuring: one nbgrader course with STUDENTS
 * students and the assignment `ps1` released, and the tree students hand in (FILES notebook-like
 * files, SUBMISSION_BYTES in all), the same bytes for every server the bench compares.
 */
import crypto from 'node:crypto';
import type { Services } from '../src/core/services.ts';
import type { Server, Target } from './harness.ts';
import { BenchError, request } from './harness.ts';
import type { BenchFile } from './ngshare-form.ts';
import { formBody } from './ngshare-form.ts';

export const STUDENTS = 200;
export const FILES = 20;
export const FILE_BYTES = 100 * 1024;
export const SUBMISSION_BYTES = FILES * FILE_BYTES;
export const COURSE = 'bench';
export const ASSIGNMENT = 'ps1';

/** A notebook-like file: JSON text around random (incompressible) source. */
function notebook(bytes: number): Buffer {
  const head = '{"cells": [{"cell_type": "code", "metadata": {}, "source": "';
  const tail = '"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n';
  const source = crypto.randomBytes(Math.ceil((bytes - head.length - tail.length) / 2)).toString('hex').slice(0, bytes - head.length - tail.length);
  return Buffer.from(head + source + tail);
}

/** The notebook tree students hand in (and the assignment they fetch). */
export const TREE: BenchFile[] = Array.from({ length: FILES }, (_, i) => ({ path: `ps1/problem-${i + 1}.ipynb`, content: notebook(FILE_BYTES) }));

/** Who the bench acts as on a server: tokens (Assay) or names (a server that takes `user`). */
export interface Course {
  admin: string;
  instructor: string;
  students: { name: string; token: string }[];
}

async function makeUser(services: Services, username: string, clearance: 1 | 5): Promise<string> {
  const user = await services.users.createTrusted({ username, password: crypto.randomBytes(12).toString('hex'), clearance });
  return (await services.tokens.createApiToken(user.id, 'bench')).token;
}

export async function ok(target: Target, method: string, url: string, form?: Record<string, string> | Buffer, token = target.token): Promise<Record<string, unknown>> {
  const body = form === undefined ? undefined : Buffer.isBuffer(form) ? form : new URLSearchParams(form).toString();
  const res = await request({ ...target, token }, method, url, {
    body,
    headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const parsed = (() => {
    try {
      return JSON.parse(res.text) as Record<string, unknown>;
    } catch {
      return null;
    }
  })();
  if (res.status !== 200 || parsed?.success !== true) throw new BenchError(`${method} ${url} on ${target.engine} answered ${res.status}: ${res.text.slice(0, 300)}`);
  return parsed;
}

/** An Assay admin (an ngshare admin too) makes the course; its instructor enrolls STUDENTS students and releases ps1. */
export async function loadCourse(server: Pick<Server, 'engine' | 'base' | 'services'>): Promise<Course> {
  const { services } = server;
  const admin = await makeUser(services, 'bench_admin', 5);
  const instructor = await makeUser(services, 'bench_inst', 1);
  const students: Course['students'] = [];
  for (let i = 0; i < STUDENTS; i++) {
    const name = `bench_s${String(i).padStart(3, '0')}`;
    students.push({ name, token: await makeUser(services, name, 1) });
  }
  const target: Target = { engine: server.engine, base: server.base, token: admin };
  await ok(target, 'POST', `/api/course/${COURSE}`, { instructors: JSON.stringify(['bench_inst']) });
  const rows = students.map((s) => ({ username: s.name, first_name: 'S', last_name: s.name, email: '' }));
  await ok(target, 'POST', `/api/students/${COURSE}`, { students: JSON.stringify(rows) }, instructor);
  await ok(target, 'POST', `/api/assignment/${COURSE}/${ASSIGNMENT}`, Buffer.concat(formBody(TREE, 'bench_inst').pieces), instructor);
  return { admin, instructor, students };
}
