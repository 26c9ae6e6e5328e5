#!/usr/bin/env node
/**
 * The `laser-trim-ml` command. The only place that touches `process`, argv and the terminal.
 *
 * @module
 */
import { EXIT } from './args.js';
import { runCli } from './run.js';

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
    return await runCli(
      argv,
      { stdout: process.stdout, stderr: process.stderr, signal: controller.signal },
      { debug: process.env['LASER_TRIM_ML_DEBUG'] === '1' },
    );
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
