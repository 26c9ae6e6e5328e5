/** A host trim run of one single-track unit, for tests that build a model unit by unit. */
import type { HostTrimRunInput } from '../../src/storage/repository.js';

export interface SingleTrackUnit {
  readonly model: string;
  readonly serial: string;
  readonly fileDate: Date;
  readonly sigma: number;
  /** Failed the trim linearity test (`null`: no trim outcome recorded). */
  readonly fail: boolean | null;
  /** Linearity error of a passing and of a failing unit (spec 0.01). */
  readonly errorPass: number;
  readonly errorFail: number;
  readonly failPoints: number;
  readonly optimalOffset: number;
  readonly trimmedResistance: number;
}

export function singleTrackRun(u: SingleTrackUnit): HostTrimRunInput {
  const failed = u.fail === true;
  return {
    model: u.model,
    serial: u.serial,
    fileDate: u.fileDate,
    system: 'B',
    tracks: [
      {
        trackId: 'default',
        status: failed ? 'FAIL' : 'PASS',
        sigmaGradient: u.sigma,
        linearitySpec: 0.01,
        linearityError: failed ? u.errorFail : u.errorPass,
        linearityFailPoints: failed ? u.failPoints : 0,
        linearityPass: u.fail === null ? null : !failed,
        optimalOffset: u.optimalOffset,
        travelLength: 240,
        unitLength: 240,
        untrimmedResistance: 1000,
        trimmedResistance: u.trimmedResistance,
      },
    ],
  };
}
