/**
 * Progress display: a redrawn bar with counts and ETA on a terminal, plain lines otherwise (logs, CI, pipes).
 *
 * @module
 */
import type { ProgressEvent } from '../manager/types.js';

/** Something that receives progress events and can be finished. */
export interface ProgressReporter {
  update(event: ProgressEvent): void;
  done(): void;
}

function fmtSeconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Creates a reporter writing to `stream` (a bar when it is a TTY, a line every `intervalMs` otherwise). */
export function createProgressReporter(stream: NodeJS.WriteStream, options: { quiet?: boolean; intervalMs?: number } = {}): ProgressReporter {
  const tty = stream.isTTY === true;
  const interval = options.intervalMs ?? (tty ? 100 : 2000);
  let last = 0;
  let lastPhase = '';
  let drawn = false;
  return {
    update(e) {
      if (options.quiet) return;
      const now = e.elapsedMs;
      if (e.phase === lastPhase && now - last < interval && e.phase !== 'done') return;
      last = now;
      lastPhase = e.phase;
      const useRecords = e.recordsTotal !== undefined && e.recordsTotal > 0;
      const done = useRecords ? e.recordsDone ?? 0 : e.modelsDone;
      const total = useRecords ? e.recordsTotal! : e.modelsTotal;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const eta = frac > 0.02 ? fmtSeconds((now / frac) * (1 - frac)) : '?';
      const what = useRecords ? `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} records` : `${done}/${total} models`;
      const model = e.model !== undefined ? ` ${JSON.stringify(e.model)}` : '';
      if (tty) {
        const width = 24;
        const fill = Math.round(frac * width);
        const line = `${e.operation} ${e.phase.padEnd(8)} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${what} ${fmtSeconds(now)} ETA ${eta}${model}`;
        stream.write(`\r${line.slice(0, (stream.columns ?? 120) - 1).padEnd(Math.min(119, (stream.columns ?? 120) - 1))}`);
        drawn = true;
      } else {
        stream.write(`${e.operation}: ${e.phase} ${what} (${(frac * 100).toFixed(0)}%, ${fmtSeconds(now)}, ETA ${eta})\n`);
      }
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
