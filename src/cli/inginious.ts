import type { Services } from '../core/services.ts';
import type { Flags } from './commands.ts';

/** `assay inginious …` (see the usage text in src/main.ts). */
export async function inginiousCommand(_services: Services, _args: string[], _flags: Flags, usage: string): Promise<number> {
  process.stderr.write(usage);
  return 2;
}
