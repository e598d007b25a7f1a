import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';

const USAGE = `usage: assay <command> [options]

commands:
  serve [--port N] [--host H]        start the HTTP server (migrates first)
  migrate                            bring the database schema up to date
  user create USERNAME [--password P] [--clearance 1|2|3|5] [--first-name F] [--last-name L] [--email E]
  user edit USERNAME [--email E] [--first-name F] [--last-name L]
                                     change an account's email or names (--email "" clears it)
  user passwd USERNAME [--password P]
  user token USERNAME [--name NAME]  print a new personal API token
  user list
  gc [--grace-seconds N]             delete blobs and file trees nothing references
  course sync DIR                    create or update a course from a course directory
                                     (course.yaml + one folder per exercise; see README)
  schedule import FILE|URL           load timetable events from an iCalendar file or URL
                                     (events keep their UID: importing again updates them)
  oauth client create NAME --redirect-uri URI [--redirect-uri URI …] --scopes "user_info user_courses …"
                                     register an OAuth2 client application (prints its id and secret)
  inginious import DIR [--slug ID]   create or update a course from an INGInious course folder
                                     (course.yaml + one folder per task with task.yaml)
  worker [--concurrency N] [--metrics-port P]
                                     run grading workers without the HTTP server (any machine
                                     that reaches the database; ASSAY_QUEUE=pgboss for pg-boss)
`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      password: { type: 'string' },
      clearance: { type: 'string' },
      'first-name': { type: 'string' },
      'last-name': { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      'grace-seconds': { type: 'string' },
      concurrency: { type: 'string' },
      'metrics-port': { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      scopes: { type: 'string' },
      slug: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(USAGE);
    return positionals.length === 0 && !values.help ? 2 : 0;
  }
  const port = values.port !== undefined ? Number(values.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new ConfigError('--port must be a port number');
  const config = loadConfig(process.env, { port, host: values.host });
  // Loaded only now: the commands pull in the whole server, which `--help` does not need.
  const { runCli } = await import('./cli/commands.ts');
  return runCli(config, positionals, values, USAGE);
}

main().then(
  (code) => {
    if (code !== -1) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`assay: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
