/**
 * The CLI as a function: parses argv, runs the command, maps errors to one line on stderr and an exit code. `main.ts`
 * wires it to the process (argv, streams, Ctrl-C); tests call it in-process.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { AbortedError, BusyError, InvalidInputError, LaserTrimMLError } from '../core/errors.js';
import { EXIT, UsageError, helpFor, parseCli } from './args.js';
import { type CliIO, runCommand } from './commands.js';

function version(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      // try the next location (bundle vs sources)
    }
  }
  return 'unknown';
}

/** Runs the CLI on `argv` (without node and the script); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIO, options: { debug?: boolean } = {}): Promise<number> {
  try {
    const args = parseCli(argv);
    if (args.version) {
      io.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    if (args.help || args.command === 'help') {
      io.stdout.write(helpFor(args.command === 'help' ? args.positionals[0] : args.command));
      return EXIT.ok;
    }
    return await runCommand(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(
        `laser-trim-ml: ${e.message.replace(/\.$/, '')} (see laser-trim-ml ${e.command !== undefined ? `${e.command} ` : ''}--help)\n`,
      );
      return EXIT.usage;
    }
    if (e instanceof LaserTrimMLError) {
      io.stderr.write(`laser-trim-ml: ${e.message}\n`);
      if (e instanceof AbortedError) return EXIT.interrupted;
      if (e instanceof BusyError) return EXIT.busy;
      if (e instanceof InvalidInputError) return EXIT.usage;
      return EXIT.data;
    }
    // One line; the stack trace only on request (it is for a bug report, not for the cron log).
    const debug = options.debug === true;
    const text = e instanceof Error ? (debug ? (e.stack ?? e.message) : `${e.name}: ${e.message.split('\n')[0]}`) : String(e);
    io.stderr.write(`laser-trim-ml: unexpected failure: ${text}${debug ? '' : ' (LASER_TRIM_ML_DEBUG=1 prints the stack trace)'}\n`);
    return EXIT.failure;
  }
}
