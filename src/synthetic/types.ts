/**
 * Public types of the synthetic plant: options, the per-model specification (the model-level ground truth), the
 * generated runs and Final Test records (shaped for {@link HostDataWriter}) with their per-run ground truth, and the
 * plant summary.
 *
 * @module
 */
import type { ModelName } from '../core/types.js';
import type { DriftDirection } from '../core/types.js';
import type { HostFinalTestInput, HostTrimRunInput } from '../storage/repository.js';

/**
 * Which plant to simulate.
 * - `classic` (the default): the project's original generator. Lognormal in-control sigma, independent units, one
 *   plant-wide link rate, step drifts of 0.5/1/2 within-model σ. Kept bit for bit for existing seeds.
 * - `realistic`: what real plants have and `classic` lacks (issue 11, `docs/synthetic.md`): glitch-prone units and a
 *   right-skewed ln(sigma) whose skewness varies by model, production lots that move roughness, offsets and Final
 *   Test defect rates, model-level FT base rates the trim data does not explain, ~30 % small models, link rates of
 *   10–80 % by model with the newest units never linked, step and ramp drifts in both directions.
 */
export type SyntheticScenario = 'classic' | 'realistic';

/**
 * Parameters of the `realistic` scenario (ignored by `classic`). Every default is a plant-level figure from
 * `shared/domain.md` / issue 11; `docs/synthetic.md` gives each one's real-world meaning. Ranges `[lo, hi]` are drawn
 * per model (or per lot) as stated.
 */
export interface RealisticScenarioOptions {
  /** Share of models that are small (5–50 units, log-uniform): the long tail. Default 0.3. */
  readonly smallModelFraction?: number;
  /** Units of a small model, `[lo, hi]`, log-uniform. Default [5, 50]. */
  readonly smallModelUnits?: readonly [number, number];
  /** Per-model Final Test link rate, log-uniform in `[lo, hi]` (mean ≈ 0.34 with the default). Default [0.1, 0.8]. */
  readonly linkRateRange?: readonly [number, number];
  /** Days from trim to Final Test, uniform in `[lo, hi]`; a unit whose FT would fall after the plant's end is never linked. Default [3, 30]. */
  readonly finalTestLagDays?: readonly [number, number];
  /** Newest share of each model's units that is never linked (in stock, not yet assembled or tested). Default 0.05. */
  readonly newestUnlinkedFraction?: number;
  /** Within-lot sd of log10(sigma) of the glitch-free roughness, decades, uniform per model. Default [0.12, 0.17]. */
  readonly withinLotSd?: readonly [number, number];
  /** Between-lot sd of log10(sigma) as a multiple of the within-lot sd, uniform per model. Default [0.2, 0.5]. */
  readonly betweenLotRatio?: readonly [number, number];
  /** Lot length in days (a reel, a paste batch, a setup), log-uniform per lot. Default [2, 28]. */
  readonly lotDays?: readonly [number, number];
  /** Between-lot sd of the Final Test failure log-odds. Default 0.5. */
  readonly lotFinalTestSd?: number;
  /** Between-lot sd of the mean optimal offset, as a fraction of the spec. Default 0.05. */
  readonly lotOffsetSd?: number;
  /**
   * Per-model base rate of glitches (a local defect inflating the gradient std), log-uniform; a unit's glitch
   * probability is `rate · 2Φ(z)` (z its within-lot roughness deviation), so rough units glitch more. Default [0.02, 0.25].
   */
  readonly glitchRate?: readonly [number, number];
  /** Mean glitch inflation of log10(sigma) (exponential), as a multiple of the within-lot sd, uniform per model. Default [0.8, 2]. */
  readonly glitchScale?: readonly [number, number];
  /** sd of the model-level Final Test failure log-odds not explained by trim measurements (assembly, customer test). Default 1. */
  readonly modelFinalTestSd?: number;
  /** Drift sizes, log-uniform in `[lo, hi]`, in σ = the in-control sd of log10(sigma), lots and glitches included. Default [0.3, 2.5]. */
  readonly driftSizeRange?: readonly [number, number];
  /** Drift onset as a fraction of the model's units, uniform. Default [0.3, 0.8]. */
  readonly driftOnsetRange?: readonly [number, number];
  /** Share of drifts that are ramps (the rest are steps). Default 0.5. */
  readonly rampFraction?: number;
  /** Ramp length as a fraction of the units after onset, uniform (at least 5 units). Default [0.1, 0.5]. */
  readonly rampLengthRange?: readonly [number, number];
}

/** Options of a synthetic plant. Every field but `seed` has a default matching `shared/domain.md`. */
export interface SyntheticPlantOptions {
  /** Seed of everything (an integer; treated as 32-bit). The same seed gives the same plant bit for bit. */
  readonly seed: number;
  /** Which plant to simulate. Default `classic`. */
  readonly scenario?: SyntheticScenario;
  /** Parameters of the `realistic` scenario (defaults in {@link RealisticScenarioOptions}). */
  readonly realistic?: RealisticScenarioOptions;
  /** Number of models. Default 300. */
  readonly models?: number;
  /** Total trim tracks, approximately (±1 %). Default 80,000. */
  readonly tracks?: number;
  /** First possible file date. Default 2023-01-01T00:00:00Z. */
  readonly startDate?: Date;
  /** Length of the plant history in days. Default 730. */
  readonly days?: number;
  /** Fraction of units whose Final Test record is written (linked). Default 0.34. `realistic`: unused (per-model `linkRateRange`). */
  readonly linkRate?: number;
  /** Of the written FT records, the fraction stored without `linkedTrimId` (serial match only). Default 0.15. */
  readonly serialOnlyLinkFraction?: number;
  /** Extra FT records whose serial matches no trim run, as a fraction of written FT records. Default 0.05. */
  readonly orphanFinalTestRate?: number;
  /** Fraction of runs carrying one per-run garbage defect (ERROR status, placeholder sigma, …). Default 0.02. */
  readonly garbageRate?: number;
  /** Fraction of runs inserted twice, identically. Default 0.003. */
  readonly duplicateRate?: number;
  /** Fraction of trim-failing units that are trimmed again (a re-trim: a second, valid run). Default 0.08. */
  readonly retrimRate?: number;
  /** Fraction of eligible models (≥ `driftMinUnits` units) given a drift in log(sigma). Default 0.1 (`realistic`: 0.3). */
  readonly driftModelFraction?: number;
  /** Minimum units for a model to be eligible for drift. Default 120 (`realistic`: 80). */
  readonly driftMinUnits?: number;
  /** Drift sizes to choose from, in within-model σ of log(sigma). Default [0.5, 1, 2]. `realistic`: unused (`driftSizeRange`). */
  readonly driftSizes?: readonly number[];
  /** Fraction of models with two tracks (`TRK1`/`TRK2`, system `A`). Default 0.07. */
  readonly dualTrackFraction?: number;
  /** Fraction of models with inch-based linear travel. Default 0.1. */
  readonly linearFraction?: number;
  /** Target plant-wide (track-weighted) trim pass rate the per-model difficulties are calibrated to. Default 0.64. */
  readonly trimPassRate?: number;
  /** Add the special garbage models (1-sample models, all-fail, all-pass, zero-sigma). Default true. */
  readonly specialModels?: boolean;
}

/** The role of a model in the plant's deliberate garbage. */
export type SyntheticModelRole = 'normal' | 'single_sample' | 'all_fail' | 'all_pass' | 'zero_sigma';

/** A planned drift of a model's log(sigma): a step (`classic` always), or a linear ramp (`realistic`). */
export interface SyntheticDriftPlan {
  /** Index (0-based, in time order) of the first drifted unit among the model's units. */
  readonly onsetIndex: number;
  /**
   * Full shift size in σ of log(sigma), the model's `log10SigmaSpread`: the within-model σ (`classic`), or the sd of
   * log10(sigma) over in-control units with lot variation and glitches included (`realistic`).
   */
  readonly sizeSigma: number;
  readonly direction: DriftDirection;
  /** `step` (the full shift from the onset unit on) or `ramp` (linear from 0 at the onset to the full shift `rampUnits` later). Absent = step. */
  readonly shape?: 'step' | 'ramp';
  /** Units over which a ramp grows to its full size (ramps only). */
  readonly rampUnits?: number;
}

/** Model-level truth of the `realistic` scenario (what makes the model's sigma non-lognormal and its units correlated). */
export interface SyntheticRealisticModel {
  /** The model's Final Test link rate (share of units whose FT record is written, before the newest-units cut). */
  readonly linkRate: number;
  /** Within-lot sd of the glitch-free log10(sigma), decades. */
  readonly withinLotSd: number;
  /** Between-lot sd of log10(sigma), decades. */
  readonly betweenLotSd: number;
  /** Base glitch rate: a unit with within-lot roughness deviation z glitches with probability `glitchRate · 2Φ(z)`. */
  readonly glitchRate: number;
  /** Mean glitch inflation of log10(sigma), decades (exponentially distributed). */
  readonly glitchScale: number;
  /** Location of the glitch-free, lot-free log10(sigma) (`log10SigmaMedian` of the model). */
  readonly locationLog10: number;
  /** In-control mean of log10(sigma): location + glitchRate · glitchScale. `sigmaZ` is measured from it. */
  readonly inControlMeanLog10: number;
}

/** One model's specification: the model-level ground truth. */
export interface SyntheticModelSpec {
  readonly index: number;
  readonly name: ModelName;
  readonly role: SyntheticModelRole;
  /** Units (distinct serials) the model trims; re-trims and duplicates add runs on top. */
  readonly units: number;
  /** 1 (`default`, system `B`) or 2 (`TRK1`/`TRK2`, system `A`). */
  readonly tracksPerRun: 1 | 2;
  readonly kind: 'rotary' | 'linear';
  /** The model's one linearity spec (volts). */
  readonly linearitySpec: number;
  /** Nominal travel: degrees (rotary) or inches (linear). */
  readonly travelLength: number;
  /** Nominal electrical angle (rotary) or length (linear); stored as `null` on the model's oldest files (below). */
  readonly unitLength: number;
  /** Fraction of the model's history (from its start) whose files lack `unit_length` (old files). */
  readonly unitLengthMissingFraction: number;
  /** Points per track (caps the fail points). */
  readonly pointsPerTrack: number;
  /** Median of log10(sigma) before any drift. */
  readonly log10SigmaMedian: number;
  /** Within-model standard deviation of log10(sigma) (decades); the unit of drift sizes. */
  readonly log10SigmaSpread: number;
  /** Correlation of the two tracks' log-sigma deviations (dual-track models; 0 otherwise). */
  readonly trackCorrelation: number;
  /** Trim latent mean: a unit fails trim when `trimDifficulty + 0.5·z + e > 0` (z, e standard normal). */
  readonly trimDifficulty: number;
  /** Expected trim pass rate before drift, Φ(−trimDifficulty / √1.25). */
  readonly expectedTrimPassRate: number;
  /** Per-model assembly difficulty: added to the Final Test failure log-odds. */
  readonly assemblyDifficulty: number;
  readonly nominalResistance: number;
  /** Mean relative resistance change of trimming, (trimmed − untrimmed) / untrimmed. */
  readonly resistanceChangeMean: number;
  /** Signed mean optimal offset (volts). */
  readonly offsetBias: number;
  readonly firstDate: Date;
  readonly lastDate: Date;
  readonly drift: SyntheticDriftPlan | null;
  /** `realistic` scenario only: the model's lot, glitch and link parameters. */
  readonly realistic?: SyntheticRealisticModel;
}

/** A per-run defect deliberately injected. */
export type SyntheticGarbageKind =
  'error_status' | 'placeholder_sigma' | 'null_pass' | 'zero_spec' | 'zero_travel' | 'null_values' | 'negative_resistance';

/** How (and whether) a unit's Final Test reaches the database. */
export type SyntheticFtLinkMode = 'trim_id' | 'serial' | 'none';

/** Ground truth of one track of a run. */
export interface SyntheticTrackTruth {
  readonly trackId: string;
  /**
   * The unit's log10(sigma) deviation in σ of the model, drift included: `(log10 σ − median) / spread` (`classic`),
   * `(log10 σ − inControlMeanLog10) / spread` (`realistic`, lots and glitches included).
   */
  readonly sigmaZ: number;
  /** The true sigma before any garbage overwrote the stored value. */
  readonly sigma: number;
  /** True trim outcome (before garbage). */
  readonly trimPass: boolean;
  /** True probability that this track fails Final Test, given everything observable. */
  readonly ftFailProbability: number;
  /** True Final Test outcome of the track (known even where no FT record is written). */
  readonly ftPass: boolean;
  readonly ftFailPoints: number;
  /** `realistic` only: the glitch's inflation of log10(sigma) in decades (0: no glitch). */
  readonly glitchLog10?: number;
}

/** `realistic` only: a production lot (a reel, a paste batch, a setup) and its shifts, shared by its units. */
export interface SyntheticLotTruth {
  /** Plant-unique lot id, `<model index>-<lot index>`. */
  readonly id: string;
  /** Index of the lot within its model, in time order. */
  readonly index: number;
  /** Shift of log10(sigma) of the lot's units, decades. */
  readonly sigmaShiftLog10: number;
  /** Shift of the lot's mean optimal offset, volts. */
  readonly offsetShift: number;
  /** Shift of the lot's Final Test failure log-odds. */
  readonly finalTestLogOddsShift: number;
}

/** Ground truth of one run. */
export interface SyntheticRunTruth {
  readonly model: ModelName;
  /** Index of the unit (serial) within its model, in time order. */
  readonly unitIndex: number;
  /** This run is the re-trim of a serial trimmed before. */
  readonly retrim: boolean;
  /** A later re-trim of the same serial exists (this run's FT never happens). */
  readonly superseded: boolean;
  /** Exact copy of the previous run (inserted twice). */
  readonly duplicate: boolean;
  /** This run is at or after its model's drift onset. */
  readonly drifted: boolean;
  readonly garbage: SyntheticGarbageKind | null;
  readonly ftLink: SyntheticFtLinkMode;
  readonly tracks: readonly SyntheticTrackTruth[];
  /** `realistic` only: the production lot of the unit. */
  readonly lot?: SyntheticLotTruth;
  /** `realistic` only: the drift shift of log10(sigma) at this unit, in σ (signed; 0 before onset, partial on a ramp). */
  readonly driftSigma?: number;
}

/** One generated trim run: the host input and its truth. */
export interface SyntheticRun {
  readonly input: HostTrimRunInput;
  readonly truth: SyntheticRunTruth;
}

/** One generated Final Test record. */
export interface SyntheticFinalTest {
  /** `linkedTrimId` is `null` here; {@link writePlant} fills it for `link: 'trim_id'` from the inserted run ids. */
  readonly input: HostFinalTestInput;
  /** Index into the batch's `runs` of the run it belongs to; `null` for orphans. */
  readonly runIndex: number | null;
  /** `trim_id`: written with the id; `serial`: only a matching (possibly differently formatted) serial; `orphan`: no trim run. */
  readonly link: 'trim_id' | 'serial' | 'orphan';
}

/** A chunk of one model's runs (never splitting a unit's runs) with the FT records of those runs. */
export interface SyntheticBatch {
  readonly model: SyntheticModelSpec;
  readonly runs: SyntheticRun[];
  readonly finalTests: SyntheticFinalTest[];
  /** True for the model's last chunk. */
  readonly lastOfModel: boolean;
}

/** Ground truth of a drift as it landed in the data. */
export interface SyntheticDriftTruth extends SyntheticDriftPlan {
  readonly model: ModelName;
  /** File date of the first drifted unit. */
  readonly onsetDate: Date;
  /** Shift of log10(sigma): `±sizeSigma · log10SigmaSpread`. */
  readonly shiftLog10: number;
  readonly log10SigmaSpread: number;
  readonly unitsBefore: number;
  readonly unitsAfter: number;
}

/** Counts of what was generated. */
export interface SyntheticPlantSummary {
  readonly models: number;
  readonly units: number;
  readonly runs: number;
  readonly tracks: number;
  readonly retrims: number;
  readonly duplicates: number;
  readonly finalTests: { readonly trimId: number; readonly serial: number; readonly orphan: number };
  readonly garbage: Readonly<Record<SyntheticGarbageKind, number>>;
  readonly drifts: readonly SyntheticDriftTruth[];
  /** `realistic` only: number of production lots. */
  readonly lots?: number;
}
