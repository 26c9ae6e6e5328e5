/**
 * PostgreSQL array literals for bulk parameters (`unnest($1::float8[], …)`), built directly. pg's generic
 * `prepareValue` quotes and escapes every element and recurses per value, several times slower on apply's write
 * (figures: docs/benchmarks.md).
 *
 * The text forms: numbers as JavaScript prints them (the shortest form that reads back as the same double;
 * `NaN`, `Infinity` and exponents are valid float8 input), booleans as `t`/`f`, text double-quoted with `"` and `\`
 * escaped, and an unquoted `NULL` for null.
 *
 * @module
 */

/** `{a,b,NULL}`: each element in its text form, an unquoted `NULL` for null. */
function literal<T>(values: readonly (T | null)[], format: (v: T) => string): string {
  let s = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) s += ',';
    s += v === null || v === undefined ? 'NULL' : format(v);
  }
  return `${s}}`;
}

/** `{1,2.5,NULL}` for a `float8[]` or `bigint[]` parameter. */
export function numberArray(values: readonly (number | null)[]): string {
  return literal(values, String);
}

/** `{t,f,NULL}` for a `boolean[]` parameter. */
export function booleanArray(values: readonly (boolean | null)[]): string {
  return literal(values, (v) => (v ? 't' : 'f'));
}

/** `{"a","b \\"q\\"",NULL}` for a `text[]` parameter. */
export function textArray(values: readonly (string | null)[]): string {
  return literal(values, (v) => `"${v.replace(/[\\"]/gu, '\\$&')}"`);
}
