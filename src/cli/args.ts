/**
 * Command-line parsing (Node's own `util.parseArgs`: no dependency needed for a handful of flags).
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
  /** The data or database is not usable as it is (missing tables, unknown model, a model failed to train). */
  data: 3,
  /** Another train or apply holds the lock. */
  busy: 4,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

/** A usage error (exit code 2). */
export class UsageError extends Error {}

/** Parsed command line. */
export interface CliArgs {
  readonly command: string;
  readonly positionals: string[];
  readonly db: string;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly help: boolean;
  readonly version: boolean;
  readonly minSamples: number | undefined;
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
}

function intFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} takes a positive whole number, got ${JSON.stringify(v)}.`);
  return n;
}

/** `--model` (repeatable, any name) and `--models a,b` (comma-separated, for names without commas). */
function modelList(repeated: string[] | undefined, commaList: string | undefined): string[] | undefined {
  const names = [...(repeated ?? []), ...(commaList?.split(',').map((s) => s.trim()).filter((s) => s.length > 0) ?? [])];
  return names.length > 0 ? names : undefined;
}

/** Parses argv (without node and the script). */
export function parseCli(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        db: { type: 'string' },
        json: { type: 'boolean', default: false },
        quiet: { type: 'boolean', short: 'q', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
        'min-samples': { type: 'string' },
        concurrency: { type: 'string' },
        'batch-size': { type: 'string' },
        models: { type: 'string' },
        seed: { type: 'string' },
        tracks: { type: 'string' },
        'model-count': { type: 'string' },
        force: { type: 'boolean', default: false },
        'reference-schema': { type: 'boolean', default: false },
        all: { type: 'boolean', default: false },
        'rebaseline-drift': { type: 'boolean', default: false },
        model: { type: 'string', multiple: true },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  const [command = 'help', ...rest] = positionals;
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`--seed takes a whole number, got ${JSON.stringify(values.seed)}.`);
  return {
    command,
    positionals: rest,
    db: values.db ?? (command === 'demo' ? './laser-trim-demo.db' : './laser-trim.db'),
    json: values.json ?? false,
    quiet: values.quiet ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
    minSamples: intFlag('min-samples', values['min-samples']),
    concurrency: intFlag('concurrency', values.concurrency),
    batchSize: intFlag('batch-size', values['batch-size']),
    models: modelList(values.model, values.models),
    seed,
    tracks: intFlag('tracks', values.tracks),
    modelCount: intFlag('model-count', values['model-count']),
    force: values.force ?? false,
    referenceSchema: values['reference-schema'] ?? false,
    all: values.all ?? false,
    rebaselineDrift: values['rebaseline-drift'] ?? false,
  };
}

/** The help text. */
export const HELP = `laser-trim-ml: per-model ML for laser-trim plant databases

Usage: laser-trim-ml <command> [options]

Commands:
  demo               create a demo SQLite database (default ./laser-trim-demo.db), train, apply, print the status table
  migrate            create the library's tables (add --reference-schema to create the host tables too)
  train              train every model with enough data (profile, predictor, threshold, drift baselines)
  apply              write thresholds, sigma_pass, failure probabilities to every track; run drift detection
  status             the per-model training status table
  insights <model>   everything known about one model
  compare            the cross-model comparison table
  drift              drift alerts (unacknowledged; --all for every alert)

Options:
  --db <path|url>    SQLite file (default ./laser-trim.db) or a postgres:// URL
  --json             machine-readable output on stdout
  --quiet, -q        no progress output
  --min-samples <n>  train: samples a model needs (default 50)
  --concurrency <n>  train: worker threads (default: number of cores)
  --model <name>     train/apply: only this model (repeat for more; any name, commas included)
  --models <a,b>     train/apply: only these models (comma-separated)
  --rebaseline-drift train: re-establish drift baselines (by default an established baseline is kept)
  --batch-size <n>   apply: tracks per transaction (default 5000)
  --seed <n>         demo: generator seed (default 1); train: learner seed
  --tracks <n>       demo: tracks to generate (default 20000)
  --model-count <n>  demo: models to generate (default 120)
  --force            demo: overwrite an existing demo database
  --help, -h         this text
  --version, -v      the package version

Exit codes: 0 ok, 2 usage error, 3 data error (missing tables, unknown model, a model failed), 4 busy (another
train/apply holds the lock), 130 interrupted, 1 any other failure.
`;
