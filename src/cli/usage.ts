import { parseArgs } from 'node:util';

/**
 * The command line's grammar: every command with its arguments and its own options, parsed by
 * node's util.parseArgs in strict mode. Nothing here loads the server, so `assay --help` and a
 * usage mistake answer at once.
 */

/** A usage mistake (unknown command, unknown or missing option or argument, bad value): exit 2. */
export class UsageError extends Error {}

interface OptionSpec {
  /** What the value stands for in the usage text; an option without one is a flag. */
  value?: string;
  multiple?: boolean;
  required?: boolean;
}

interface CommandSpec {
  /** The command's words, as typed: `user create`. */
  name: string;
  /** Positional arguments; a last one ending in `…` takes one or more values; `[NAME]` ones are optional, after the others. */
  args: string[];
  options: Record<string, OptionSpec>;
  about: string;
}

const command = (name: string, args: string[], options: Record<string, OptionSpec>, about: string): CommandSpec => ({ name, args, options, about });

const COMMANDS: CommandSpec[] = [
  command('serve', [], { port: { value: 'N' }, host: { value: 'H' } }, 'start the HTTP server (migrates first)'),
  command('migrate', [], {}, 'bring the database schema up to date'),
  command(
    'user create',
    ['USERNAME'],
    { password: { value: 'P' }, clearance: { value: '1|2|3|5' }, 'first-name': { value: 'F' }, 'last-name': { value: 'L' }, email: { value: 'E' } },
    'create an account (a password is generated and printed when not given)',
  ),
  command('user edit', ['USERNAME'], { email: { value: 'E' }, 'first-name': { value: 'F' }, 'last-name': { value: 'L' } }, 'change an account\'s email or names (--email "" clears it)'),
  command('user passwd', ['USERNAME'], { password: { value: 'P' } }, 'set a password (generated and printed when not given)'),
  command('user token', ['USERNAME'], { name: { value: 'NAME' } }, 'print a new personal API token'),
  command('user list', [], {}, 'list the accounts'),
  command('gc', [], { 'grace-seconds': { value: 'N' } }, 'delete blobs and file trees nothing references'),
  command('course sync', ['DIR'], {}, 'create or update a course from a course directory (course.yaml + one folder per exercise, roster.csv; see README)'),
  command('course enroll', ['COURSE', 'USER…'], { role: { value: 'student|checker|instructor', required: true } }, 'enrol existing accounts in a course (by slug) with one role'),
  command(
    'course roster',
    ['COURSE', 'FILE.csv'],
    { preview: {} },
    'import a roster CSV (username,email,first_name,last_name,role): new accounts get printed one-time passwords; any bad row: every problem listed, nothing written',
  ),
  command(
    'gradebook export',
    ['COURSE'],
    { exercise: { value: 'ID' }, output: { value: 'FILE' } },
    "write a course's gradebook (by slug) as CSV, one row per student with a score column per exercise; --exercise (id or slug): that exercise's status, score, lateness and extension per student",
  ),
  command(
    'grader test',
    ['DIR/EXERCISE', '[SUBMISSION]'],
    {},
    "run an exercise's grader from a course directory in the sandbox, on its solution/ or on the SUBMISSION folder, and print the result and the grading contract's warnings (no server, no database)",
  ),
  command('schedule import', ['FILE|URL'], {}, 'load timetable events from an iCalendar file or URL (events keep their UID: importing again updates them)'),
  command(
    'oauth client create',
    ['NAME'],
    { 'redirect-uri': { value: 'URI', multiple: true, required: true }, scopes: { value: '"user_info user_courses …"', required: true } },
    'register an OAuth2 client application (prints its id and secret)',
  ),
  command('inginious import', ['DIR'], { slug: { value: 'ID' } }, 'create or update a course from an INGInious course folder (course.yaml + one folder per task with task.yaml)'),
  command(
    'worker',
    [],
    { concurrency: { value: 'N' }, 'metrics-port': { value: 'P' } },
    'run grading workers without the HTTP server (any machine that reaches the database; ASSAY_QUEUE=pgboss for pg-boss)',
  ),
];

function synopsis(spec: CommandSpec): string {
  const options = Object.entries(spec.options).map(([name, o]) => {
    const text = o.value ? `--${name} ${o.value}` : `--${name}`;
    const repeated = o.multiple ? `${text} [${text} …]` : text;
    return o.required ? repeated : `[${repeated}]`;
  });
  return [spec.name, ...spec.args, ...options].join(' ');
}

const describe = (spec: CommandSpec) => `  ${synopsis(spec)}\n      ${spec.about}\n`;

export const USAGE = `usage: assay <command> [options]      (assay <command> --help, assay --version)\n\ncommands:\n${COMMANDS.map(describe).join('')}`;

export type CommandLine =
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  | { kind: 'run'; command: string; args: string[]; values: Record<string, string | string[] | undefined> };

/** Reads argv (without node and the script): which command, its arguments and options; throws UsageError. */
export function parseCommandLine(argv: string[]): CommandLine {
  const words = argv.findIndex((a) => !a.startsWith('-'));
  const leading = words === -1 ? argv : argv.slice(0, words);
  const top = strictParse(leading, { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } }, null);
  if (top.values.help) return { kind: 'help', text: USAGE };
  if (top.values.version) return { kind: 'version' };
  if (words === -1) throw new UsageError('missing command');

  let name = '';
  let i = words;
  let spec: CommandSpec | undefined;
  for (; i < argv.length && !spec; i++) {
    const word = argv[i]!;
    if (word.startsWith('-')) break;
    name = name ? `${name} ${word}` : word;
    spec = COMMANDS.find((c) => c.name === name);
    if (!spec && !COMMANDS.some((c) => c.name.startsWith(`${name} `))) throw new UsageError(`unknown command "${name}"`);
  }
  if (!spec) {
    const next = COMMANDS.filter((c) => c.name.startsWith(`${name} `)).map((c) => c.name.slice(name.length + 1).split(' ')[0]);
    throw new UsageError(`missing subcommand for "${name}" (${[...new Set(next)].join(', ')})`);
  }

  const options = Object.fromEntries(
    Object.entries(spec.options).map(([key, o]) => [key, { type: o.value ? ('string' as const) : ('boolean' as const), multiple: o.multiple ?? false }]),
  );
  const { values, positionals } = strictParse(argv.slice(i), { ...options, help: { type: 'boolean', short: 'h' } }, spec.name);
  if (values.help) return { kind: 'help', text: `usage: assay ${describe(spec).trimStart()}` };
  // `[NAME]` arguments are optional (and come last).
  const required = spec.args.filter((a) => !a.startsWith('[')).length;
  if (positionals.length < required) throw new UsageError(`missing ${spec.args[positionals.length]} for "${spec.name}"`);
  const variadic = spec.args.at(-1)?.endsWith('…') ?? false;
  if (positionals.length > spec.args.length && !variadic) throw new UsageError(`unexpected argument "${positionals[spec.args.length]}" for "${spec.name}"`);
  for (const [key, o] of Object.entries(spec.options)) {
    if (o.required && values[key] === undefined) throw new UsageError(`missing --${key} for "${spec.name}"`);
  }
  const { help: _help, ...rest } = values;
  return { kind: 'run', command: spec.name, args: positionals, values: rest as Record<string, string | string[] | undefined> };
}

type ParseOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'] & {};

/**
 * parseArgs in strict mode; when it refuses, the same arguments read leniently name the option at
 * fault, so every mistake gets one line in one style.
 */
function strictParse(args: string[], options: ParseOptions, commandName: string | null) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: commandName !== null });
  } catch {
    const where = commandName ? ` for "${commandName}"` : '';
    const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
    for (const t of tokens) {
      if (t.kind === 'positional' && commandName === null) throw new UsageError(`unexpected argument "${t.value}"`);
      if (t.kind !== 'option') continue;
      const known = options[t.name];
      if (!known) throw new UsageError(`unknown option ${t.rawName}${where}`);
      // Strict mode takes no `-…` word as a value unless it is written `--name=-…`.
      if (known.type === 'string' && (t.value === undefined || (!t.inlineValue && t.value.startsWith('-')))) throw new UsageError(`missing value of ${t.rawName}${where}`);
      if (known.type === 'boolean' && t.value !== undefined) throw new UsageError(`${t.rawName} takes no value${where}`);
    }
    throw new UsageError(`cannot read the arguments${where}`);
  }
}
