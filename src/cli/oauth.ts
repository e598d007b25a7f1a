import { Clearance } from '../core/actor.ts';
import { isAssayError } from '../core/errors.ts';
import type { Services } from '../core/services.ts';
import { ensureAdmin } from '../runtime.ts';
import type { Flags } from './commands.ts';

const out = (line: string) => process.stdout.write(line + '\n');

const strings = (value: Flags[string]): string[] => (Array.isArray(value) ? value : typeof value === 'string' ? [value] : []);

/** `assay oauth client create NAME --redirect-uri URI … --scopes "…"`: prints id, client_id and client_secret. */
export async function oauthCommand(services: Services, name: string, flags: Flags): Promise<number> {
  // Registration is an administrator's act; the CLI acts as the first administrator, as `course sync` does.
  const created = await ensureAdmin(services);
  if (created?.generatedPassword) out(`created admin account "${created.username}" with password: ${created.generatedPassword}`);
  const admin = (await services.users.listAll()).find((u) => u.clearance === Clearance.admin && u.is_active);
  const actor = admin ? await services.users.actorFor(admin.id) : null;
  if (!actor) throw new Error('no active administrator account to register the client with');
  const scopes = strings(flags.scopes).flatMap((s) => s.split(/[\s,]+/)).filter((s) => s !== '');
  let client;
  try {
    client = await services.oauth.createClient(actor, { name, redirectUris: strings(flags['redirect-uri']), scopes });
  } catch (err) {
    if (!isAssayError(err) || err.kind !== 'invalid') throw err;
    for (const problem of err.details.fields ?? []) process.stderr.write(`${problem.field === 'name' ? 'NAME' : problem.field?.startsWith('redirect_uris') ? '--redirect-uri' : '--scopes'}: ${problem.message}\n`);
    return 1;
  }
  out(`id: ${client.id}`);
  out(`client_id: ${client.clientId}`);
  out(`client_secret: ${client.clientSecret}`);
  out(`redirect_uris: ${client.redirectUris.join(' ')}`);
  out(`scopes: ${client.scopes.join(' ')}`);
  return 0;
}
