/**
 * Domain types shared by every layer. Field meanings and typical values are in the plant's domain notes
 * (see the README, "Domain"): a **track** is one analysed element of one trim run of one unit.
 *
 * @module
 */

/** A product model number such as `8340-1` or `6828`: an opaque string (may hold `/`, quotes, spaces, unicode). */
export type ModelName = string;

/**
 * One trim track as the host database holds it after processing. Every measurement is nullable: old files and
 * failed analyses leave gaps, and the library counts and handles them explicitly (see `cleanTrainingRecords`).
 */
export interface TrimTrack {
  /** Primary key of the track row (the row apply writes results to). */
  readonly trackResultId: number;
  /** Primary key of the trim run (file) the track belongs to. */
  readonly trimResultId: number;
  readonly model: ModelName;
  /** The unit's serial as the host stored it; `null` where the host has none (such a track never links by serial). */
  readonly serial: string | null;
  /** `TRK1`, `TRK2` for dual-element parts; `default` (or the host's own word) for single-track parts. */
  readonly trackId: string;
  /** Date of the trim file: the time axis for everything. */
  readonly fileDate: Date;
  /** Analysis status as the host stored it (`PASS`, `FAIL`, `WARNING`, `ERROR`, ...). `ERROR` rows never train. */
  readonly status: string | null;
  /** Sample std (ddof = 1) of the point-to-point gradient of the linearity error. `999.999` is a placeholder. */
  readonly sigmaGradient: number | null;
  /** Half width of the allowed linearity error band (volts). */
  readonly linearitySpec: number | null;
  /** Max |error| after the optimal offset (volts). */
  readonly linearityError: number | null;
  /** Points outside the band after the offset: the severity of a trim failure (0 for a pass). */
  readonly linearityFailPoints: number | null;
  /** Trim linearity outcome, `fail_points == 0`. NULL in some old rows. */
  readonly linearityPass: boolean | null;
  /** Signed vertical shift that centres the error in the band (volts). */
  readonly optimalOffset: number | null;
  /** Measured travel: degrees (100-360) for rotary parts, inches (< 4) for linear parts. */
  readonly travelLength: number | null;
  /** Nominal electrical angle (e.g. 240). Missing on old files. */
  readonly unitLength: number | null;
  /** Ohms before trimming. */
  readonly untrimmedResistance: number | null;
  /** Ohms after trimming (trimming removes material, so trimmed > untrimmed). */
  readonly trimmedResistance: number | null;
  /**
   * Set by a repository when a cell of the row (or of its linked Final Test track) could not be read: `'abc'` or `''`
   * in a numeric or boolean column, a date that is no date. The cell's field is `null`; hygiene excludes the row and
   * counts it (`unreadable_value` / `unreadable_date`), so that one bad cell costs one row, not the model.
   */
  readonly unreadable?: UnreadableCell;
}

/** A cell a repository could not read (see {@link TrimTrack.unreadable}). */
export interface UnreadableCell {
  /** `date` for a date column, `value` for a numeric or boolean one. */
  readonly kind: 'value' | 'date';
  /** The column, as `table.column` of the reference schema (e.g. `track_results.sigma_gradient`). */
  readonly column: string;
}

/** The Final Test (FT) outcome of the assembled unit, linked to one trim track. */
export interface FinalTestOutcome {
  /** Primary key of the final-test track row. */
  readonly finalTestId: number;
  /** Date of the Final Test (days to weeks after trim). */
  readonly testDate: Date;
  /** FT linearity outcome; NULL when the host has none. */
  readonly linearityPass: boolean | null;
  /** Points outside the band at FT: the severity of an FT failure. */
  readonly failPoints: number | null;
  /** Max |error| at FT (volts), informational. */
  readonly linearityError: number | null;
  /** Set when a cell of the FT row could not be read: the linked trim track is excluded and counted (see {@link TrimTrack.unreadable}). */
  readonly unreadable?: UnreadableCell;
}

/** A trim track with its linked Final Test outcome, if any: the unit of training data. */
export interface TrainingRecord extends TrimTrack {
  readonly finalTest: FinalTestOutcome | null;
}

/** Which outcome a model's learners were trained on. */
export type LabelSource = 'final_test' | 'trim';

/** Risk category written to each track next to its failure probability. */
export type RiskCategory = 'low' | 'medium' | 'high';

/** Drift direction of log(sigma). */
export type DriftDirection = 'up' | 'down';

/** Per-model counts a repository reports for planning training. */
export interface ModelSummary {
  readonly model: ModelName;
  /** Trim tracks of the model (all rows, before hygiene). */
  readonly trimTracks: number;
  /** Trim tracks that have a linked Final Test outcome. */
  readonly finalTestLinked: number;
  /**
   * The model's date range; `null` when unknown (no tracks, or a stored date that is no date: planning goes on, and
   * reading the model then reports the error for that model alone).
   */
  readonly firstDate: Date | null;
  readonly lastDate: Date | null;
}
