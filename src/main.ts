import fs from 'node:fs';
import { loadConfig } from './config.ts';
import { parseCommandLine, UsageError } from './cli/usage.ts';

const version = (): string => (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function main(): Promise<number> {
  const line = parseCommandLine(process.argv.slice(2));
  if (line.kind === 'help') {
    process.stdout.write(line.text);
    return 0;
  }
  if (line.kind === 'version') {
    process.stdout.write(`assay ${version()}\n`);
    return 0;
  }
  const { port: rawPort, host } = line.values as { port?: string; host?: string };
  if (rawPort !== undefined && !(/^\d{1,5}$/.test(rawPort) && Number(rawPort) <= 65535)) throw new UsageError('--port must be a port number');
  const config = loadConfig(process.env, { port: rawPort === undefined ? undefined : Number(rawPort), host });
  // Loaded only now: the commands pull in the whole server, which `--help` does not need.
  const { runCli } = await import('./cli/commands.ts');
  return runCli(config, line.command, line.args, line.values);
}

main().then(
  (code) => {
    if (code !== -1) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`assay: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
