/**
 * Progress display: a redrawn bar with counts and ETA on a terminal, plain lines otherwise (logs, CI, pipes, cron).
 *
 * A run is shown as its top-level steps: train = 1/3 reading (the survey of every model), 2/3 pooled forest (one
 * forest on every model's Final Test units; it reports no progress of its own), 3/3 training (per model); apply =
 * one step. Each step gets its own line when it starts; within a step a line is printed (off a terminal) at most
 * once every `intervalMs` (2 s), however the manager's fine-grained phases (training/saving) alternate. Progress is
 * counted in rows where the events carry them (a model of 1,000 tracks takes longer than one of 10), else in models.
 *
 * The ETA is the remaining rows over a smoothed rate: an exponentially weighted moving average of the rate measured
 * over intervals of at least 0.5 s, with weight `1 - exp(-dt / 10 s)` for an interval of `dt` (a time constant of
 * 10 s). It is shown only once 5% of the step and 2 s of it are done, before which it would mostly be noise.
 *
 * Hand-written rather than a progress-bar package: the non-terminal output (one line per interval, which cron logs
 * need) and the step model are the parts that matter here, and they are what the packages leave to the caller.
 *
 * @module
 */
import type { ProgressEvent } from '../manager/types.js';

/** Something that receives progress events and can be finished. */
export interface ProgressReporter {
  update(event: ProgressEvent): void;
  /** Ends the current line (after the run, or after it failed): what is written next starts on a line of its own. */
  done(): void;
}

/** Where progress goes (a `process.stderr`-like stream). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** A duration as `12s` or `3m05s`. */
export function fmtSeconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

type Step = 'reading' | 'pooled' | 'training' | 'applying' | 'done';

/** The top-level step of a phase. */
function stepOf(e: ProgressEvent): Step {
  switch (e.phase) {
    case 'planning':
    case 'reading':
      return 'reading';
    case 'pooled':
      return 'pooled';
    case 'training':
    case 'saving':
      return 'training';
    case 'applying':
      return 'applying';
    case 'done':
      return 'done';
  }
}

const STEP_LABEL: Record<Exclude<Step, 'done'>, string> = {
  reading: 'step 1/3, reading the models',
  pooled: "step 2/3, the pooled forest on all models' Final Test units",
  training: 'step 3/3, training each model',
  applying: 'writing results',
};

/** Time constant of the rate's moving average, and the shortest interval a rate is measured over. */
const RATE_TAU_MS = 10_000;
const RATE_MIN_DT_MS = 500;

/** Smoothed rate of a counter (units per ms) and the ETA it gives; see the module comment. */
export class RateEstimator {
  private rate: number | null = null;
  private lastT = 0;
  private lastDone = 0;

  constructor(private readonly startT: number) {
    this.lastT = startT;
  }

  /** Feeds the counter's value at time `t` (ms). */
  observe(t: number, done: number): void {
    const dt = t - this.lastT;
    if (dt < RATE_MIN_DT_MS) return;
    const inst = (done - this.lastDone) / dt;
    const w = 1 - Math.exp(-dt / RATE_TAU_MS);
    this.rate = this.rate === null ? inst : w * inst + (1 - w) * this.rate;
    this.lastT = t;
    this.lastDone = done;
  }

  /** Milliseconds left for `total`, or null while too little is done (under 5% or 2 s) or the rate is 0. */
  etaMs(t: number, done: number, total: number): number | null {
    if (total <= 0 || done / total < 0.05 || t - this.startT < 2_000) return null;
    // Until a first interval is measured, the average since the step began.
    const rate = this.rate ?? done / Math.max(1, t - this.startT);
    return rate > 0 ? (total - done) / rate : null;
  }
}

/** Creates a reporter writing to `stream` (a bar when it is a TTY, a line every `intervalMs` otherwise). */
export function createProgressReporter(stream: ProgressStream, options: { quiet?: boolean; intervalMs?: number } = {}): ProgressReporter {
  const tty = stream.isTTY === true;
  const interval = options.intervalMs ?? (tty ? 100 : 2000);
  let step: Step | null = null;
  let stepStart = 0;
  let lastPrint = -Infinity;
  let rate = new RateEstimator(0);
  let drawn = false;
  let last: ProgressEvent | null = null;
  /** `last` was not drawn (throttled). */
  let pending = false;

  const render = (e: ProgressEvent, s: Exclude<Step, 'done'>): string => {
    const inStep = e.elapsedMs - stepStart;
    if (s === 'pooled') return `${e.operation}${tty ? '' : ':'} ${STEP_LABEL[s]}...`;
    const rows = e.recordsTotal !== undefined && e.recordsTotal > 0;
    const done = rows ? (e.recordsDone ?? 0) : e.modelsDone;
    const total = rows ? e.recordsTotal : e.modelsTotal;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const eta = done < total ? rate.etaMs(e.elapsedMs, done, total) : null;
    const unit = s === 'applying' ? 'tracks' : 'rows';
    const counts = rows
      ? `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit}, ${e.modelsDone}/${e.modelsTotal} models`
      : `${done}/${total} models`;
    const time = `${fmtSeconds(inStep)}${eta !== null ? `, ETA ${fmtSeconds(eta)}` : ''}`;
    if (!tty) return `${e.operation}: ${STEP_LABEL[s]}: ${counts} (${(frac * 100).toFixed(0)}%, ${time})`;
    const width = 20;
    const fill = Math.round(frac * width);
    return `${e.operation} ${STEP_LABEL[s]} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${counts} ${time}`;
  };

  const draw = (line: string): void => {
    if (tty) {
      // Redrawn in place; cut to the terminal's width so that it never wraps onto a second line.
      const columns = stream.columns !== undefined && stream.columns > 0 ? stream.columns : 120;
      stream.write(`\r${line.slice(0, Math.max(20, columns - 1))}\u001b[K`);
      drawn = true;
    } else {
      stream.write(`${line}\n`);
    }
  };

  const endLine = (): void => {
    if (drawn) stream.write('\n');
    drawn = false;
  };

  return {
    update(e) {
      if (options.quiet) return;
      const s = stepOf(e);
      // A step ends (a new one starts, or the run is done): its last state, if not shown yet, then the line ends.
      const finishStep = (final: ProgressEvent | null): void => {
        if (final !== null && step !== null && step !== 'pooled' && step !== 'done') draw(render(final, step));
        endLine();
      };
      if (s === 'done') {
        finishStep(pending && last !== null ? { ...last, ...countsOf(e), elapsedMs: e.elapsedMs } : null);
        step = 'done';
        last = null;
        pending = false;
        return;
      }
      const newStep = s !== step;
      if (newStep) {
        // The survey's last event comes as its last model starts: the pooled step's event says it has finished.
        if (step === 'reading' && s === 'pooled' && last !== null) finishStep({ ...last, ...countsOf(e), elapsedMs: e.elapsedMs });
        else finishStep(pending ? last : null);
        step = s;
        stepStart = e.elapsedMs;
        rate = new RateEstimator(e.elapsedMs);
      }
      if (s !== 'pooled')
        rate.observe(e.elapsedMs, e.recordsTotal !== undefined && e.recordsTotal > 0 ? (e.recordsDone ?? 0) : e.modelsDone);
      if (!newStep && e.elapsedMs - lastPrint < interval) {
        last = e;
        pending = true;
        return;
      }
      last = e;
      pending = false;
      lastPrint = e.elapsedMs;
      draw(render(e, s));
    },
    done() {
      endLine();
    },
  };
}

/** The counters of an event (to draw a step's last state with the final counts). */
function countsOf(e: ProgressEvent): Partial<ProgressEvent> {
  return {
    modelsDone: e.modelsDone,
    modelsTotal: e.modelsTotal,
    ...(e.recordsDone !== undefined ? { recordsDone: e.recordsDone } : {}),
    ...(e.recordsTotal !== undefined ? { recordsTotal: e.recordsTotal } : {}),
  };
}
