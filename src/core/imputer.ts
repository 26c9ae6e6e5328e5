/**
 * Per-model median imputation of missing feature values, learned at training time and persisted with the model.
 *
 * @module
 */
import { StateVersionError, InvalidInputError } from './errors.js';
import { quantileLinear } from './stats/descriptive.js';
import { FEATURE_NAMES, type FeatureName, type FeatureValues } from './features.js';

/** Persisted form of a {@link FeatureImputer}. */
export interface FeatureImputerState {
  readonly kind: 'FeatureImputer';
  readonly version: 1;
  /** Median of the observed values per feature (numpy's `median`: mean of the two middle values for even n); `null` when the feature was never observed. */
  readonly medians: Record<FeatureName, number | null>;
  /** How many training rows had the feature missing (and were imputed). */
  readonly missingCounts: Record<FeatureName, number>;
  /** Number of training rows the medians were learned from. */
  readonly rows: number;
}

/**
 * Fills missing feature values with the per-model median seen at training time.
 *
 * @example
 * ```ts
 * const imputer = FeatureImputer.fit(rows);           // rows: FeatureValues[]
 * const x = imputer.transform(extractFeatures(track), ['sigma_gradient', 'travel_length']);
 * ```
 */
export class FeatureImputer {
  private constructor(private readonly state: FeatureImputerState) {}

  /** Learns medians from training rows. */
  static fit(rows: readonly FeatureValues[]): FeatureImputer {
    const medians = {} as Record<FeatureName, number | null>;
    const missingCounts = {} as Record<FeatureName, number>;
    for (const name of FEATURE_NAMES) {
      const seen: number[] = [];
      let missing = 0;
      for (const r of rows) {
        const v = r[name];
        if (v === null) missing++;
        else seen.push(v);
      }
      medians[name] = quantileLinear(seen, 0.5);
      missingCounts[name] = missing;
    }
    return new FeatureImputer({ kind: 'FeatureImputer', version: 1, medians, missingCounts, rows: rows.length });
  }

  /** Restores an imputer from its persisted state. */
  static fromState(state: FeatureImputerState): FeatureImputer {
    if (state?.kind !== 'FeatureImputer' || state.version !== 1) {
      throw new StateVersionError(
        `FeatureImputer.fromState: expected kind FeatureImputer version 1, got ${state?.kind} v${state?.version}. Retrain the model with this version of laser-trim-ml.`,
      );
    }
    return new FeatureImputer(state);
  }

  /** The persisted state (plain JSON). */
  toState(): FeatureImputerState {
    return this.state;
  }

  /** Features never observed in training (they cannot be imputed and must not be used). */
  unobservedFeatures(): FeatureName[] {
    return FEATURE_NAMES.filter((n) => this.state.medians[n] === null);
  }

  /** The learned median of one feature. */
  median(name: FeatureName): number | null {
    return this.state.medians[name];
  }

  /**
   * The values of `names` with missing ones replaced by the training median. Throws if a requested feature was never
   * observed in training.
   */
  transform(values: FeatureValues, names: readonly FeatureName[], out?: Float64Array): Float64Array {
    const row = out ?? new Float64Array(names.length);
    for (let j = 0; j < names.length; j++) {
      const name = names[j]!;
      const v = values[name];
      if (v !== null) {
        row[j] = v;
      } else {
        const m = this.state.medians[name];
        if (m === null) {
          throw new InvalidInputError(
            `Feature ${name} was never observed in training and cannot be imputed; leave it out of the feature list.`,
          );
        }
        row[j] = m;
      }
    }
    return row;
  }
}
