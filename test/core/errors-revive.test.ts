import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  BusyError,
  DiskFullError,
  InsufficientDataError,
  InvalidInputError,
  LaserTrimMLError,
  MissingDependencyError,
  NotTrainedError,
  SchemaMappingError,
  SchemaMissingError,
  StateVersionError,
  StorageError,
  reviveError,
  serializeError,
} from '../../src/core/errors.js';

/** Through structuredClone, as postMessage sends it between threads. */
const roundTrip = (e: unknown): Error => reviveError(structuredClone(serializeError(e)));

describe('errors across worker threads', () => {
  it('every LaserTrimMLError class (all eleven codes) comes back as itself, with its code, message and fields', () => {
    const errors: LaserTrimMLError[] = [
      new InvalidInputError('bad trees'),
      new InsufficientDataError('too few'),
      new NotTrainedError('train first'),
      new StateVersionError('version 9'),
      new AbortedError(),
      new BusyError('held by host-2', 'host-2'),
      new SchemaMissingError('no tables'),
      new SchemaMappingError('no column'),
      new StorageError('write failed'),
      new DiskFullError('/data/plant.db'),
      new MissingDependencyError(['vega', 'vega-lite'], 'The HTML report'),
    ];
    for (const e of errors) {
      const back = roundTrip(e);
      expect(back).toBeInstanceOf(e.constructor);
      expect(back).toBeInstanceOf(LaserTrimMLError);
      expect((back as LaserTrimMLError).code).toBe(e.code);
      expect(back.message).toBe(e.message);
      expect(back.name).toBe(e.name);
      expect(back.stack).toBe(e.stack);
    }
    expect((roundTrip(new BusyError('held', 'host-2')) as BusyError).holder).toBe('host-2');
    expect((roundTrip(new DiskFullError('/data/plant.db')) as DiskFullError).file).toBe('/data/plant.db');
    expect(roundTrip(new DiskFullError(null))).toBeInstanceOf(StorageError);
    expect((roundTrip(new MissingDependencyError(['vega'], 'The report')) as MissingDependencyError).packages).toEqual(['vega']);
  });

  it('a foreign error comes back as a plain Error with its name and message', () => {
    const back = roundTrip(new TypeError('x is not a function'));
    expect(back).not.toBeInstanceOf(LaserTrimMLError);
    expect(back.name).toBe('TypeError');
    expect(back.message).toBe('x is not a function');
    expect(roundTrip('a thrown string').message).toBe('a thrown string');
  });
});
