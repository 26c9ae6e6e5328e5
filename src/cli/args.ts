/**
 * Command-line parsing (Node's own `util.parseArgs`: no dependency needed for a handful of flags). Every command
 * declares the options it takes and its positional arguments; anything else is a usage error (exit 2) naming it.
 *
 * @module
 */
import { parseArgs } from 'node:util';

/** Exit codes: distinguish usage errors, data errors and failures. */
export const EXIT = {
  ok: 0,
  /** An unexpected failure (a bug, a crashed driver). */
  failure: 1,
  /** Bad command line. */
  usage: 2,
  /** The data or database is not usable as it is (not a database, missing tables, unknown model, a model failed). */
  data: 3,
  /** Another train or apply holds the lock. */
  busy: 4,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

/** A usage error (exit code 2). `command` names the command whose `--help` to point at. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/** The file name the CLI looks for in the working directory when no `--config` is given. */
export const CONFIG_FILE = 'laser-trim-ml.config.json';

/** Parsed command line. */
export interface CliArgs {
  readonly command: string;
  readonly positionals: string[];
  /** `--db`, or undefined (then the config file's `db`, then the command's default). */
  readonly db: string | undefined;
  /** `--schema <mapping.json>`. */
  readonly schema: string | undefined;
  /** `--config <file>`. */
  readonly config: string | undefined;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly help: boolean;
  readonly version: boolean;
  readonly minSamples: number | undefined;
  readonly minPlantBackedSamples: number | undefined;
  readonly concurrency: number | undefined;
  readonly batchSize: number | undefined;
  readonly models: string[] | undefined;
  readonly seed: number | undefined;
  readonly tracks: number | undefined;
  readonly modelCount: number | undefined;
  readonly force: boolean;
  readonly referenceSchema: boolean;
  readonly all: boolean;
  readonly rebaselineDrift: boolean;
  /** `apply --pending`: only the tracks without a result, drift continued (incremental apply). */
  readonly pending: boolean;
  /** `--out <file>` (report). */
  readonly out: string | undefined;
}

interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** The argument's placeholder in the help text (string options). */
  readonly arg?: string;
  /** Help text; `{cmd}` variants are given per command in {@link COMMANDS}. */
  readonly help: string;
}

const OPTIONS = {
  db: { type: 'string', arg: '<path|url>', help: 'SQLite file (default ./laser-trim.db) or a postgres:// URL' },
  schema: { type: 'string', arg: '<mapping.json>', help: "your tables' and columns' names (a SchemaMapping as JSON; see docs/cli.md)" },
  config: { type: 'string', arg: '<file>', help: `a config file with "db" and "schema" (default ./${CONFIG_FILE} if it exists)` },
  json: { type: 'boolean', help: 'machine-readable output on stdout' },
  quiet: { type: 'boolean', short: 'q', help: 'no progress output' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
  version: { type: 'boolean', short: 'v', help: 'the package version' },
  'min-samples': { type: 'string', arg: '<n>', help: 'clean samples a model needs for its own training (default 50)' },
  'min-plant-backed-samples': {
    type: 'string',
    arg: '<n>',
    help: 'clean samples for plant-backed training below --min-samples (default 10; = --min-samples: none)',
  },
  concurrency: { type: 'string', arg: '<n>', help: 'worker threads (default: the number of cores; 1 = none)' },
  'batch-size': { type: 'string', arg: '<n>', help: 'tracks per write transaction (default 5000)' },
  model: { type: 'string', multiple: true, arg: '<name>', help: 'only this model (repeat for more; any name, commas included)' },
  models: { type: 'string', arg: '<a,b>', help: 'only these models (comma-separated)' },
  seed: { type: 'string', arg: '<n>', help: 'seed of the random numbers (default 1)' },
  tracks: { type: 'string', arg: '<n>', help: 'tracks to generate (default 20000)' },
  'model-count': { type: 'string', arg: '<n>', help: 'models to generate (default 120)' },
  force: { type: 'boolean', help: 'overwrite an existing file that is not a demo database' },
  'reference-schema': { type: 'boolean', help: 'also create the host tables of the reference schema (for a new database)' },
  all: { type: 'boolean', help: 'every alert, acknowledged ones too' },
  'rebaseline-drift': { type: 'boolean', help: 're-establish drift baselines (by default an established baseline is kept)' },
  pending: {
    type: 'boolean',
    help: 'only the tracks without a result yet (new units), drift charts continued; run a full apply after a retrain',
  },
  out: { type: 'string', arg: '<file.html>', help: 'the report file to write (default ./plant-report.html)' },
} as const satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof OPTIONS;

/** One command: what it does, its positional arguments and the options it takes. */
interface CommandSpec {
  readonly summary: string;
  /** Positional arguments, e.g. `['<model>']` (all required). */
  readonly positionals: readonly string[];
  readonly options: readonly OptionName[];
  /** More lines for its --help. */
  readonly details?: string;
  /** Per-command wording of an option's help. */
  readonly optionHelp?: Partial<Record<OptionName, string>>;
}

/** The options of every command that opens a plant database. */
const DB_OPTIONS = ['db', 'schema', 'config'] as const satisfies readonly OptionName[];

const COMMANDS: Record<string, CommandSpec> = {
  demo: {
    summary: 'create a demo SQLite database, train, apply and print the status table',
    positionals: [],
    options: ['db', 'json', 'quiet', 'seed', 'tracks', 'model-count', 'force', 'concurrency'],
    optionHelp: { db: 'the SQLite file to create (default ./laser-trim-demo.db)', seed: 'generator seed (default 1)' },
    details: 'The demo writes the reference schema; it reads no config file and takes no --schema.',
  },
  migrate: {
    summary: "create the library's tables and the result columns",
    positionals: [],
    options: [...DB_OPTIONS, 'reference-schema', 'quiet'],
    details:
      "Adds the library's tables to your app's database (and five result columns to its track table; map its names with\n" +
      '--schema). For a new database, add --reference-schema to create the host tables of the reference schema too.',
  },
  train: {
    summary: 'train every model with enough data (profile, predictor, threshold, drift baselines)',
    positionals: [],
    options: [
      ...DB_OPTIONS,
      'json',
      'quiet',
      'min-samples',
      'min-plant-backed-samples',
      'concurrency',
      'model',
      'models',
      'rebaseline-drift',
      'seed',
    ],
    optionHelp: { seed: 'learner seed (default 42)' },
    details: 'Exits 3 when a named model does not exist or a model failed to train, 4 when a train or apply is running.',
  },
  apply: {
    summary: 'write thresholds, sigma_pass and failure probabilities to every track; run drift detection',
    positionals: [],
    options: [...DB_OPTIONS, 'json', 'quiet', 'batch-size', 'concurrency', 'model', 'models', 'pending'],
    optionHelp: { concurrency: 'scoring worker thread: 1 scores in this thread (default: the number of cores)' },
    details: 'Exits 3 when a named model does not exist or a model failed, 4 when a train or apply is running.',
  },
  status: { summary: 'the per-model training status table', positionals: [], options: [...DB_OPTIONS, 'json'] },
  insights: { summary: 'everything known about one model', positionals: ['<model>'], options: [...DB_OPTIONS, 'json'] },
  compare: { summary: 'the cross-model comparison table', positionals: [], options: [...DB_OPTIONS, 'json'] },
  drift: { summary: 'drift alerts (unacknowledged ones; --all for every alert)', positionals: [], options: [...DB_OPTIONS, 'json', 'all'] },
  report: {
    summary: "write the plant report: one self-contained HTML file with every model's charts",
    positionals: [],
    options: [...DB_OPTIONS, 'out', 'quiet', 'model', 'models'],
    details:
      'One HTML file that opens offline (inline SVG, no script, no network): the plant overview and a section per model\n' +
      '(ln sigma control chart, CUSUM, EWMA, sigma of passing and failing tracks with the thresholds, reliability,\n' +
      'feature importance; see docs/report.md). Needs the optional packages vega and vega-lite (exit 3 with the\n' +
      'npm install command when they are missing).',
  },
};

/** The command names. */
export const COMMAND_NAMES = Object.keys(COMMANDS);

function intFlag(command: string, name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} takes a positive whole number, got ${JSON.stringify(v)}.`, command);
  return n;
}

/** `--model` (repeatable, any name) and `--models a,b` (comma-separated, for names without commas). */
function modelList(repeated: string[] | undefined, commaList: string | undefined): string[] | undefined {
  const names = [
    ...(repeated ?? []),
    ...(commaList
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0) ?? []),
  ];
  return names.length > 0 ? names : undefined;
}

/** Parses argv (without node and the script). */
export function parseCli(argv: readonly string[]): CliArgs {
  let parsed;
  const options = Object.fromEntries(
    Object.entries(OPTIONS).map(([k, o]) => [
      k,
      { type: o.type, ...('short' in o ? { short: o.short } : {}), ...('multiple' in o ? { multiple: o.multiple } : {}) },
    ]),
  ) as { [K in OptionName]: { type: (typeof OPTIONS)[K]['type']; short?: string; multiple?: boolean } };
  const firstPositional = argv.find((a) => !a.startsWith('-'));
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, tokens: true, options });
  } catch (e) {
    throw new UsageError(
      (e as Error).message.split('\n')[0]!,
      firstPositional !== undefined && firstPositional in COMMANDS ? firstPositional : undefined,
    );
  }
  const { values, positionals, tokens } = parsed as unknown as {
    values: Record<string, string | boolean | string[] | undefined>;
    positionals: string[];
    tokens: { kind: string; name?: string }[];
  };
  const str = (k: OptionName): string | undefined => values[k] as string | undefined;
  const bool = (k: OptionName): boolean => values[k] === true;
  const [command = 'help', ...rest] = positionals;
  const given = new Set(tokens.filter((t) => t.kind === 'option').map((t) => t.name as OptionName));
  if (command === 'help') {
    // `laser-trim-ml help [command]`
    if (rest.length > 1 || (rest[0] !== undefined && !(rest[0] in COMMANDS))) {
      throw new UsageError(
        `help takes one command name (${COMMAND_NAMES.join(', ')}), got ${rest.map((r) => JSON.stringify(r)).join(' ')}.`,
      );
    }
    if (bool('version') && positionals.length === 0) return { ...EMPTY, command: 'help', version: true };
    return { ...EMPTY, command: 'help', positionals: rest, help: true };
  }
  const spec = COMMANDS[command];
  if (spec === undefined) {
    if (bool('help') || bool('version')) return { ...EMPTY, command: 'help', help: bool('help'), version: bool('version') };
    throw new UsageError(`unknown command ${JSON.stringify(command)}; the commands are ${COMMAND_NAMES.join(', ')}.`);
  }
  if (bool('help')) return { ...EMPTY, command, help: true };
  const allowed = new Set<OptionName>([...spec.options, 'help', 'version']);
  for (const name of given) {
    if (!allowed.has(name)) throw new UsageError(`${command} takes no --${name}.`, command);
  }
  if (rest.length !== spec.positionals.length) {
    const want = spec.positionals.length === 0 ? 'no arguments' : `${spec.positionals.join(' ')}`;
    const extra =
      rest.length > spec.positionals.length
        ? `, got extra ${rest
            .slice(spec.positionals.length)
            .map((r) => JSON.stringify(r))
            .join(' ')}`
        : '';
    throw new UsageError(`${command} takes ${want}${extra}${rest.length < spec.positionals.length ? ' (missing)' : ''}.`, command);
  }
  const seedText = str('seed');
  const seed = seedText === undefined ? undefined : Number(seedText);
  if (seed !== undefined && !Number.isInteger(seed))
    throw new UsageError(`--seed takes a whole number, got ${JSON.stringify(seedText)}.`, command);
  if (bool('reference-schema') && str('schema') !== undefined) {
    throw new UsageError(
      '--reference-schema creates the tables under their reference names; it cannot be combined with --schema.',
      command,
    );
  }
  return {
    command,
    positionals: rest,
    db: str('db'),
    schema: str('schema'),
    config: str('config'),
    json: bool('json'),
    quiet: bool('quiet'),
    help: false,
    version: bool('version'),
    minSamples: intFlag(command, 'min-samples', str('min-samples')),
    minPlantBackedSamples: intFlag(command, 'min-plant-backed-samples', str('min-plant-backed-samples')),
    concurrency: intFlag(command, 'concurrency', str('concurrency')),
    batchSize: intFlag(command, 'batch-size', str('batch-size')),
    models: modelList(values['model'] as string[] | undefined, str('models')),
    seed,
    tracks: intFlag(command, 'tracks', str('tracks')),
    modelCount: intFlag(command, 'model-count', str('model-count')),
    force: bool('force'),
    referenceSchema: bool('reference-schema'),
    all: bool('all'),
    rebaselineDrift: bool('rebaseline-drift'),
    pending: bool('pending'),
    out: str('out'),
  };
}

const EMPTY: CliArgs = {
  command: 'help',
  positionals: [],
  db: undefined,
  schema: undefined,
  config: undefined,
  json: false,
  quiet: false,
  help: false,
  version: false,
  minSamples: undefined,
  minPlantBackedSamples: undefined,
  concurrency: undefined,
  batchSize: undefined,
  models: undefined,
  seed: undefined,
  tracks: undefined,
  modelCount: undefined,
  force: false,
  referenceSchema: false,
  all: false,
  rebaselineDrift: false,
  pending: false,
  out: undefined,
};

const EXIT_TEXT = `Exit codes: 0 ok, 2 usage error, 3 data error (not a database, missing tables, unknown model, a model failed),
4 busy (another train/apply holds the lock), 130 interrupted, 1 any other failure.`;

function optionLines(names: readonly OptionName[], overrides: Partial<Record<OptionName, string>> = {}): string {
  const rows = names.map((n) => {
    const o: OptionSpec = OPTIONS[n];
    const flag = `--${n}${o.short !== undefined ? `, -${o.short}` : ''}${o.arg !== undefined ? ` ${o.arg}` : ''}`;
    return [flag, overrides[n] ?? o.help] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return rows.map(([f, h]) => `  ${f.padEnd(width)}${h}`).join('\n');
}

/** The global help text. */
export const HELP = `laser-trim-ml: per-model ML for laser-trim plant databases

Usage: laser-trim-ml <command> [options]      laser-trim-ml <command> --help for its options

Commands:
${COMMAND_NAMES.map((c) => `  ${`${c} ${COMMANDS[c]!.positionals.join(' ')}`.padEnd(18)} ${COMMANDS[c]!.summary}`).join('\n')}

Every command but demo reads --db and --schema from ./${CONFIG_FILE} when it exists (see docs/cli.md).

Options of every command:
${optionLines(['db', 'schema', 'config', 'help', 'version'])}

${EXIT_TEXT}
`;

/** The help text of one command (the global text for `help` or an unknown name). */
export function helpFor(command: string | undefined): string {
  const spec = command === undefined ? undefined : COMMANDS[command];
  if (spec === undefined || command === undefined) return HELP;
  const usage = `laser-trim-ml ${command}${spec.positionals.length > 0 ? ` ${spec.positionals.join(' ')}` : ''} [options]`;
  return `laser-trim-ml ${command}: ${spec.summary}

Usage: ${usage}
${spec.details !== undefined ? `\n${spec.details}\n` : ''}
Options:
${optionLines([...spec.options, 'help'], spec.optionHelp)}

${EXIT_TEXT}
`;
}
