/**
 * The forest's input shape: a dense row-major matrix of finite doubles, and the checks that turn user input into it.
 *
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';

/** A dense row-major matrix: value (i, j) is `data[i * cols + j]`. */
export interface RowMajorMatrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** What the forest accepts as X: an array of rows, or a {@link RowMajorMatrix}. */
export type MatrixInput = ArrayLike<ArrayLike<number>> | RowMajorMatrix;

function isRowMajor(x: MatrixInput): x is RowMajorMatrix {
  return (x as RowMajorMatrix).data instanceof Float64Array && typeof (x as RowMajorMatrix).cols === 'number';
}

/**
 * Validates X (non-empty, rectangular, every value finite) and returns it row-major. A {@link RowMajorMatrix} is used
 * as is (not copied). `where` names the calling method in error messages.
 *
 * @example
 * ```ts
 * toRowMajor([[1, 2], [3, 4]], 'fit'); // { data: Float64Array [1, 2, 3, 4], rows: 2, cols: 2 }
 * ```
 */
export function toRowMajor(x: MatrixInput, where: string): RowMajorMatrix {
  let m: RowMajorMatrix;
  if (isRowMajor(x)) {
    if (!Number.isInteger(x.rows) || !Number.isInteger(x.cols) || x.cols < 1 || x.rows < 0 || x.data.length !== x.rows * x.cols) {
      throw new InvalidInputError(
        `${where}: matrix data has ${x.data.length} values, not rows × cols = ${x.rows} × ${x.cols}; fix rows/cols.`,
      );
    }
    m = x;
  } else {
    const rows = x.length;
    if (rows === 0) throw new InvalidInputError(`${where}: X is empty; pass at least one row.`);
    const first = x[0];
    const cols = first ? first.length : 0;
    if (cols === 0) throw new InvalidInputError(`${where}: X has rows with no features; pass at least one feature column.`);
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const r = x[i]!;
      if (r.length !== cols)
        throw new InvalidInputError(`${where}: row ${i} has ${r.length} values but row 0 has ${cols}; X must be rectangular.`);
      for (let j = 0; j < cols; j++) data[i * cols + j] = r[j]!;
    }
    m = { data, rows, cols };
  }
  if (m.rows === 0) throw new InvalidInputError(`${where}: X is empty; pass at least one row.`);
  const d = m.data;
  for (let k = 0; k < d.length; k++) {
    const v = d[k]!;
    if (!Number.isFinite(v)) {
      const i = Math.floor(k / m.cols);
      throw new InvalidInputError(
        `${where}: X[${i}][${k - i * m.cols}] is ${v}; every value must be finite. Impute missing values (e.g. with FeatureImputer) or drop the row first.`,
      );
    }
  }
  return m;
}
