/**
 * The resources per role (reference §1.2) and what each HTTP request means for them: search,
 * read, create, update, delete and their bulk forms. Operations a role has but this server does
 * not implement yet answer 501 in Devilry's envelope.
 */
import type { Actor } from '../../core/actor.ts';
import type { ResourceSpec, SearchParams } from '../../core/examination/search.ts';
import type { SearchResult } from '../../core/examination/groups.service.ts';
import type { Item } from '../../core/examination/items.ts';
import type { DevilryRole, Operation } from '../../core/examination/policies.ts';
import { allows } from '../../core/examination/policies.ts';
import type { ConnectedModel } from '../../core/examination/connected.service.ts';
import type { AdministeredModel } from '../../core/examination/administered.service.ts';
import { ADMINISTERED, isAdministered } from '../../core/examination/administered.service.ts';
import type { Services } from '../../core/services.ts';
import { devilryErrors } from './errors.ts';
import { objectParams } from './request.ts';

export interface Call {
  actor: Actor;
  role: DevilryRole;
  model: string;
  /** The id as written in the URL (reference: `[a-zA-Z0-9]+`). */
  id: string | null;
  data: unknown;
}

export type Answer = { kind: 'search'; total: number; items: Record<string, unknown>[] } | { kind: 'item'; status: number; body: unknown };

type Handler = (services: Services, call: Call) => Promise<Answer>;

const wireDatetime = (v: unknown) => (typeof v === 'string' ? v.slice(0, 19) : v);

/** Date-times on the wire: `YYYY-MM-DDTHH:MM:SS`, UTC. */
export function toWire(spec: ResourceSpec, item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) out[k] = spec.fields[k]?.type === 'datetime' ? wireDatetime(v) : v;
  return out;
}

/** Create echoes the submitted object with the new id (reference §4.1, quirk 13). */
const created = (data: Record<string, unknown>, id: number): Answer => ({ kind: 'item', status: 201, body: { ...data, id } });

const groupSearch: Handler = async (s, c) => {
  const res = await s.examination.groups.search(c.actor, c.role, objectParams(c.data));
  return { kind: 'search', total: res.total, items: res.items.map((i) => toWire(s.examination.groups.spec, i)) };
};

const groupRead: Handler = async (s, c) => {
  const item = await s.examination.groups.read(c.actor, c.role, idOrForbidden(c), objectParams(c.data));
  return { kind: 'item', status: 200, body: toWire(s.examination.groups.spec, item) };
};

/** A create: the echo of the submitted object with the new id (201). */
const creating =
  (create: (s: Services, c: Call, data: Record<string, unknown>) => Promise<number>): Handler =>
  async (s, c) => {
    const data = objectParams(c.data);
    return created(data, await create(s, c, data));
  };

/** An update: the echo of the submitted object with the id. */
const updating =
  (update: (s: Services, c: Call, id: number, data: Record<string, unknown>) => Promise<void>): Handler =>
  async (s, c) => {
    const data = objectParams(c.data);
    const id = idOrForbidden(c);
    await update(s, c, id, data);
    return { kind: 'item', status: 200, body: { ...data, id } };
  };

const groupUpdate = updating((s, c, id, data) => s.examination.groups.update(c.actor, c.role, id, data));
const deadlineCreate = creating((s, c, data) => s.examination.examining.createDeadline(c.actor, c.role, data));
const deliveryCreate = creating((s, c, data) => s.examination.examining.createDelivery(c.actor, c.role, data));
const feedbackCreate = creating((s, c, data) => s.examination.examining.createFeedback(c.actor, c.role, data));

/** A core service that searches and reads one family of resources (connected or administered ones). */
interface ReadService<M extends string> {
  spec(model: M): ResourceSpec;
  search(actor: Actor, role: DevilryRole, model: M, params: SearchParams): Promise<SearchResult>;
  read(actor: Actor, role: DevilryRole, model: M, id: number, params: SearchParams): Promise<Item>;
}

/** The search and read handlers of one family, rendered through its specs. */
function reading<M extends string>(service: (s: Services) => ReadService<M>): { search: Handler; read: Handler } {
  return {
    search: async (s, c) => {
      const model = c.model as M;
      const res = await service(s).search(c.actor, c.role, model, objectParams(c.data));
      return { kind: 'search', total: res.total, items: res.items.map((i) => toWire(service(s).spec(model), i)) };
    },
    read: async (s, c) => {
      const model = c.model as M;
      const item = await service(s).read(c.actor, c.role, model, idOrForbidden(c), objectParams(c.data));
      return { kind: 'item', status: 200, body: toWire(service(s).spec(model), item) };
    },
  };
}

const { search: connectedSearch, read: connectedRead } = reading<ConnectedModel>((s) => s.examination.connected);

const connectedHandlers = Object.fromEntries(
  (['administrator', 'examiner', 'student'] as const).flatMap((role) =>
    (['deadline', 'delivery', 'staticfeedback', 'filemeta', 'assignment', 'period', 'subject', 'node'] satisfies ConnectedModel[]).flatMap((model) => [
      [`${role}/${model}/search`, connectedSearch],
      [`${role}/${model}/read`, connectedRead],
    ]),
  ),
) as Record<string, Handler>;

const deadlineUpdate = updating((s, c, id, data) => s.examination.examining.updateDeadline(c.actor, c.role, id, data));

/** A delete: `{"id": <the id as written in the URL>}`. */
const deleting =
  (remove: (s: Services, c: Call, id: number) => Promise<void>): Handler =>
  async (s, c) => {
    await remove(s, c, idOrForbidden(c));
    return { kind: 'item', status: 200, body: { id: c.id } };
  };

const deadlineDelete = deleting((s, c, id) => s.examination.examining.deleteDeadline(c.actor, c.role, id));
const deliveryDelete = deleting((s, c, id) => s.examination.examining.deleteDelivery(c.actor, c.role, id));
const feedbackDelete = deleting((s, c, id) => s.examination.examining.deleteFeedback(c.actor, c.role, id));
const filemetaDelete = deleting((s, c, id) => s.examination.examining.deleteFile(c.actor, c.role, id));

const deliveryUpdate = updating((s, c, id, data) => s.examination.examining.updateDelivery(c.actor, c.role, id, data));
const hierarchyCreate = creating((s, c, data) => s.examination.hierarchyWrites.create(c.actor, c.model, data));
const hierarchyUpdate = updating((s, c, id, data) => s.examination.hierarchyWrites.update(c.actor, c.model, id, data));
const hierarchyDelete = deleting((s, c, id) => s.examination.hierarchyWrites.delete(c.actor, c.model, id));

const { search: administeredSearch, read: administeredRead } = reading<AdministeredModel>((s) => s.examination.administered);

const administeredHandlers: Record<string, Handler> = {
  ...Object.fromEntries(
    Object.keys(ADMINISTERED).flatMap((model) => [
      [`administrator/${model}/search`, administeredSearch],
      [`administrator/${model}/read`, administeredRead],
      [`administrator/${model}/create`, creating((s, c, data) => s.examination.administered.create(c.actor, c.model as AdministeredModel, data))],
      [`administrator/${model}/update`, updating((s, c, id, data) => s.examination.administered.update(c.actor, c.model as AdministeredModel, id, data))],
      [`administrator/${model}/delete`, deleting((s, c, id) => s.examination.administered.delete(c.actor, c.model as AdministeredModel, id))],
    ]),
  ),
  'student/relatedstudentkeyvalue/search': administeredSearch,
  'student/relatedstudentkeyvalue/read': administeredRead,
};

/** Implemented handlers by `role/model/operation`. */
const HANDLERS: Record<string, Handler> = {
  ...connectedHandlers,
  ...administeredHandlers,
  'administrator/assignmentgroup/search': groupSearch,
  'administrator/assignmentgroup/read': groupRead,
  'examiner/assignmentgroup/search': groupSearch,
  'examiner/assignmentgroup/read': groupRead,
  'examiner/assignmentgroup/update': groupUpdate,
  'student/assignmentgroup/search': groupSearch,
  'student/assignmentgroup/read': groupRead,
  'administrator/deadline/create': deadlineCreate,
  'examiner/deadline/create': deadlineCreate,
  'administrator/delivery/create': deliveryCreate,
  'examiner/delivery/create': deliveryCreate,
  'student/delivery/create': deliveryCreate,
  'examiner/staticfeedback/create': feedbackCreate,
  'examiner/deadline/update': deadlineUpdate,
  'examiner/deadline/delete': deadlineDelete,
  'administrator/deadline/delete': deadlineDelete,
  'examiner/delivery/update': deliveryUpdate,
  'administrator/delivery/update': deliveryUpdate,
  'student/delivery/update': deliveryUpdate,
  'examiner/delivery/delete': deliveryDelete,
  'administrator/delivery/delete': deliveryDelete,
  'administrator/staticfeedback/delete': feedbackDelete,
  'administrator/filemeta/delete': filemetaDelete,
  'administrator/node/create': hierarchyCreate,
  'administrator/subject/create': hierarchyCreate,
  'administrator/period/create': hierarchyCreate,
  'administrator/assignment/create': hierarchyCreate,
  'administrator/assignmentgroup/create': hierarchyCreate,
  ...Object.fromEntries(
    ['node', 'subject', 'period', 'assignment', 'assignmentgroup'].flatMap((m) => [
      [`administrator/${m}/update`, hierarchyUpdate],
      [`administrator/${m}/delete`, hierarchyDelete],
    ]),
  ),
};

/** An id in the URL that is not an integer names nothing: -1 is never a row, so the service answers 403 Forbidden. */
function idOrForbidden(c: Call): number {
  return /^\d{1,15}$/.test(c.id ?? '') ? Number(c.id) : -1;
}

/** What an HTTP method on a collection or an item means (reference §1.1). */
export function operationOf(method: string, hasId: boolean, data: unknown): { op: Operation; bulk: boolean } | null {
  switch (method) {
    case 'GET':
      return { op: hasId ? 'read' : 'search', bulk: false };
    case 'POST':
      return hasId ? null : { op: 'create', bulk: Array.isArray(data) };
    case 'PUT':
      return hasId ? { op: 'update', bulk: false } : { op: 'update', bulk: true };
    case 'DELETE':
      return hasId ? { op: 'delete', bulk: false } : { op: 'delete', bulk: true };
    default:
      return null;
  }
}

/** The methods a role's resource answers, for 405's `Allow`. */
export function allowedMethods(role: DevilryRole, model: string, hasId: boolean): string[] {
  const out: string[] = [];
  if (allows(role, model, hasId ? 'read' : 'search')) out.push('GET');
  if (!hasId && allows(role, model, 'create')) out.push('POST');
  if (allows(role, model, 'update')) out.push('PUT');
  if (allows(role, model, 'delete')) out.push('DELETE');
  return out;
}

export async function dispatch(services: Services, method: string, call: Call): Promise<Answer> {
  const hasId = call.id !== null;
  const meaning = operationOf(method, hasId, call.data);
  if (!meaning || !allows(call.role, call.model, meaning.op)) {
    if (method === 'GET') throw devilryErrors.getUnsupported(hasId);
    throw devilryErrors.methodNotAllowed(allowedMethods(call.role, call.model, hasId));
  }
  if (meaning.bulk && meaning.op === 'delete' && !Array.isArray(call.data)) throw devilryErrors.pksRequired();
  const handler = HANDLERS[`${call.role}/${call.model}/${meaning.op}`];
  if (!handler) throw devilryErrors.notImplemented();
  return meaning.bulk ? bulk(services, call, meaning.op) : handler(services, call);
}

/** The bulk form of an operation this server implements singly, in one transaction. */
async function bulk(services: Services, c: Call, op: Operation): Promise<Answer> {
  if (!Array.isArray(c.data)) throw devilryErrors.badRequestData('Expected a JSON array');
  const b = services.examination.bulk;
  if (c.role === 'administrator' && isAdministered(c.model)) {
    if (op === 'create') return { kind: 'item', status: 201, body: await b.createMany(c.actor, c.role, c.model, c.data) };
    if (op === 'update') return { kind: 'item', status: 200, body: await b.updateMany(c.actor, c.role, c.model, c.data) };
    if (op === 'delete') {
      const ids = await b.deleteMany(c.actor, c.role, c.model, c.data);
      return { kind: 'search', items: ids as unknown as Record<string, unknown>[], total: ids.length };
    }
  }
  if (op === 'create' && (c.model === 'deadline' || c.model === 'delivery' || c.model === 'staticfeedback')) {
    return { kind: 'item', status: 201, body: await b.createMany(c.actor, c.role, c.model, c.data) };
  }
  if (op === 'update' && (c.model === 'assignmentgroup' || c.model === 'deadline' || c.model === 'delivery')) {
    return { kind: 'item', status: 200, body: await b.updateMany(c.actor, c.role, c.model, c.data) };
  }
  if (op === 'delete' && (c.model === 'deadline' || c.model === 'delivery' || c.model === 'staticfeedback' || c.model === 'filemeta')) {
    const ids = await b.deleteMany(c.actor, c.role, c.model, c.data);
    return { kind: 'search', items: ids as unknown as Record<string, unknown>[], total: ids.length };
  }
  throw devilryErrors.notImplemented();
}
