#!/usr/bin/env node
/**
 * The `laser-trim-ml` command. The only place that touches `process`, argv and the terminal.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { LaserTrimMLError } from '../core/errors.js';
import { EXIT, UsageError, helpFor, parseCli } from './args.js';
import { runCommand } from './commands.js';

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

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    process.stderr.write('\nStopping after the current batch (Ctrl-C again to quit at once)...\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const args = parseCli(argv);
    if (args.version) {
      process.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    if (args.help || args.command === 'help') {
      process.stdout.write(helpFor(args.command === 'help' ? args.positionals[0] : args.command));
      return EXIT.ok;
    }
    return await runCommand(args, { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`laser-trim-ml: ${e.message.replace(/\.$/, '')} (see laser-trim-ml ${e.command !== undefined ? `${e.command} ` : ''}--help)\n`);
      return EXIT.usage;
    }
    if (e instanceof LaserTrimMLError) {
      process.stderr.write(`laser-trim-ml: ${e.message}\n`);
      if (e.code === 'ABORTED') return EXIT.interrupted;
      if (e.code === 'BUSY') return EXIT.busy;
      if (e.code === 'INVALID_INPUT') return EXIT.usage;
      return EXIT.data;
    }
    // One line; the stack trace only on request (it is for a bug report, not for the cron log).
    const debug = process.env['LASER_TRIM_ML_DEBUG'] === '1';
    const text = e instanceof Error ? (debug ? (e.stack ?? e.message) : `${e.name}: ${e.message.split('\n')[0]}`) : String(e);
    process.stderr.write(`laser-trim-ml: unexpected failure: ${text}${debug ? '' : ' (LASER_TRIM_ML_DEBUG=1 prints the stack trace)'}\n`);
    return EXIT.failure;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

// Output piped into a reader that closes early (`| head`): stop quietly, as Unix tools do.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(EXIT.ok);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`laser-trim-ml: ${String(e)}\n`);
    process.exitCode = EXIT.failure;
  },
);
