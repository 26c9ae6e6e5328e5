/**
 * The plant's formula threshold: what every track gets without ML, and the baseline a learned threshold is
 * reported against.
 *
 * @module
 */

/** Inputs of a formula threshold. */
export interface FormulaThresholdInput {
  readonly linearitySpec: number | null;
  readonly travelLength: number | null;
}

/** A function giving the sigma threshold for a track without ML. Hosts may pass their own. */
export type FormulaThresholdFn = (track: FormulaThresholdInput) => number;

/**
 * The plant formula: `spec / (24 × max(1, travel / 100))`, floored at 0.0001; 0.001 when the spec or the travel is
 * 0, missing or not finite. It ignores inch-based travel, so linear parts fail it; that is one reason learned
 * thresholds exist.
 *
 * @example
 * ```ts
 * formulaThreshold({ linearitySpec: 0.01, travelLength: 240 }); // 0.01 / (24 × 2.4) = 0.000173611…
 * formulaThreshold({ linearitySpec: 0.01, travelLength: 0 });   // 0.001
 * ```
 */
export const formulaThreshold: FormulaThresholdFn = ({ linearitySpec, travelLength }) => {
  if (
    linearitySpec === null ||
    travelLength === null ||
    !Number.isFinite(linearitySpec) ||
    !Number.isFinite(travelLength) ||
    linearitySpec <= 0 ||
    travelLength <= 0
  ) {
    return 0.001;
  }
  const t = linearitySpec / (24 * Math.max(1, travelLength / 100));
  return Math.max(t, 0.0001);
};
