/**
 * Grows one classification tree on binned data by histogram split search with the weighted Gini criterion.
 * All buffers are allocated once per fit and reused for every node and every tree.
 *
 * Weighted Gini of a node with class weights w₀, w₁ (W = w₀ + w₁): `G = 1 − (w₀² + w₁²)/W²`. The split maximising
 * the impurity decrease `W·G − W_L·G_L − W_R·G_R` is the one maximising `(l₀² + l₁²)/W_L + (r₀² + r₁²)/W_R`
 * (the decrease equals that sum minus `(w₀² + w₁²)/W`), which is what the scan computes.
 *
 * @module
 */
import type { Rng } from '../../core/rng.js';
import type { BinnedFeatures } from './binning.js';
import type { TreeArrays } from './tree.js';

/** Growth limits of one tree (already validated). */
export interface TreeLimits {
  readonly maxDepth: number;
  readonly minSamplesSplit: number;
  readonly minSamplesLeaf: number;
  /** Non-constant features to examine per split. */
  readonly featuresPerSplit: number;
}

/**
 * Reusable tree grower for one binned data set. `grow` returns a new {@link TreeArrays} and adds the tree's
 * un-normalised weighted impurity decreases per feature into `importance`.
 */
export class TreeBuilder {
  private readonly n: number;
  private readonly d: number;
  private readonly idx: Uint32Array;
  private readonly hist = new Float64Array(512);
  private readonly cnt = new Int32Array(256);
  private readonly mask = new Int32Array(8);
  private readonly order: Int32Array;
  // Node storage, capacity 2n − 1.
  private readonly nFeature: Int32Array;
  private readonly nThreshold: Float64Array;
  private readonly nLeft: Int32Array;
  private readonly nRight: Int32Array;
  private readonly nValue: Float64Array;
  // Explicit DFS stack.
  private readonly sNode: Int32Array;
  private readonly sStart: Int32Array;
  private readonly sEnd: Int32Array;
  private readonly sDepth: Int32Array;
  private readonly sW0: Float64Array;
  private readonly sW1: Float64Array;

  constructor(
    private readonly binned: BinnedFeatures,
    private readonly y: Uint8Array,
    private readonly limits: TreeLimits,
  ) {
    this.n = binned.rows;
    this.d = binned.cols;
    this.idx = new Uint32Array(this.n);
    this.order = new Int32Array(this.d);
    const cap = 2 * this.n;
    this.nFeature = new Int32Array(cap);
    this.nThreshold = new Float64Array(cap);
    this.nLeft = new Int32Array(cap);
    this.nRight = new Int32Array(cap);
    this.nValue = new Float64Array(cap);
    this.sNode = new Int32Array(this.n + 2);
    this.sStart = new Int32Array(this.n + 2);
    this.sEnd = new Int32Array(this.n + 2);
    this.sDepth = new Int32Array(this.n + 2);
    this.sW0 = new Float64Array(this.n + 2);
    this.sW1 = new Float64Array(this.n + 2);
  }

  /**
   * Grows a tree on the rows with `weight[i] > 0` (weights already include bootstrap counts and class weights).
   * `rng` draws the features of each split; it is not used when every feature is examined.
   */
  grow(weight: Float64Array, rng: Rng, importance: Float64Array): TreeArrays {
    const { n, d, idx, hist, cnt, mask, order, y } = this;
    const codes = this.binned.codes;
    const cuts = this.binned.cuts;
    const { maxDepth, minSamplesSplit, minSamplesLeaf, featuresPerSplit } = this.limits;
    const shuffle = featuresPerSplit < d;
    let m0 = 0;
    let w0 = 0;
    let w1 = 0;
    for (let i = 0; i < n; i++) {
      const w = weight[i]!;
      if (w > 0) {
        idx[m0++] = i;
        if (y[i] === 1) w1 += w;
        else w0 += w;
      }
    }
    for (let f = 0; f < d; f++) order[f] = f;
    let nodes = 1;
    let sp: number;
    this.sNode[0] = 0;
    this.sStart[0] = 0;
    this.sEnd[0] = m0;
    this.sDepth[0] = 0;
    this.sW0[0] = w0;
    this.sW1[0] = w1;
    sp = 1;
    while (sp > 0) {
      sp--;
      const node = this.sNode[sp]!;
      const start = this.sStart[sp]!;
      const end = this.sEnd[sp]!;
      const depth = this.sDepth[sp]!;
      const p0 = this.sW0[sp]!;
      const p1 = this.sW1[sp]!;
      const m = end - start;
      const W = p0 + p1;
      this.nValue[node] = W > 0 ? p1 / W : 0;
      this.nFeature[node] = -1;
      this.nLeft[node] = -1;
      this.nRight[node] = -1;
      this.nThreshold[node] = 0;
      if (depth >= maxDepth || m < minSamplesSplit || m < 2 * minSamplesLeaf || p0 <= 0 || p1 <= 0) continue;

      const parentProxy = (p0 * p0 + p1 * p1) / W;
      let bestScore = parentProxy + 1e-12 * W;
      let bestF = -1;
      let bestB = -1;
      let visited = 0;
      for (let j = 0; j < d && visited < featuresPerSplit; j++) {
        if (shuffle) {
          const r = j + rng.nextInt(d - j);
          const t = order[j]!;
          order[j] = order[r]!;
          order[r] = t;
        }
        const f = order[j]!;
        const base = f * n;
        // Histogram of the node's rows over this feature's bins; `mask` marks the non-empty bins, so the scan below
        // visits them in ascending order without sorting or sweeping all 256 bins.
        for (let k = start; k < end; k++) {
          const i = idx[k]!;
          const b = codes[base + i]!;
          cnt[b] = cnt[b]! + 1;
          const h = 2 * b + y[i]!;
          hist[h] = hist[h]! + weight[i]!;
          mask[b >>> 5] = mask[b >>> 5]! | (1 << (b & 31));
        }
        let l0 = 0;
        let l1 = 0;
        let lc = 0;
        let bins = 0;
        let scanning = true;
        for (let word = 0; word < 8; word++) {
          let bits = mask[word]!;
          if (bits === 0) continue;
          mask[word] = 0;
          while (bits !== 0) {
            const low = bits & -bits;
            bits ^= low;
            const b = (word << 5) | (31 - Math.clz32(low));
            bins++;
            const c = cnt[b]!;
            const h0 = hist[2 * b]!;
            const h1 = hist[2 * b + 1]!;
            cnt[b] = 0;
            hist[2 * b] = 0;
            hist[2 * b + 1] = 0;
            if (!scanning) continue;
            l0 += h0;
            l1 += h1;
            lc += c;
            if (lc < minSamplesLeaf) continue;
            if (m - lc < minSamplesLeaf) {
              scanning = false; // also true after the last non-empty bin
              continue;
            }
            const wl = l0 + l1;
            const r0 = p0 - l0;
            const r1 = p1 - l1;
            const wr = r0 + r1;
            if (wl <= 0 || wr <= 0) continue;
            const score = (l0 * l0 + l1 * l1) / wl + (r0 * r0 + r1 * r1) / wr;
            if (score > bestScore || (score === bestScore && bestF >= 0 && f < bestF)) {
              bestScore = score;
              bestF = f;
              bestB = b;
            }
          }
        }
        if (bins > 1) visited++;
      }
      if (bestF < 0) continue;

      // Partition idx[start, end) so rows with bin <= bestB come first.
      const base = bestF * n;
      // Child class weights are summed afresh (not parent − left) so no cancellation error reaches a leaf value.
      let lo = start;
      let hi = end - 1;
      let l0 = 0;
      let l1 = 0;
      let r0 = 0;
      let r1 = 0;
      while (lo <= hi) {
        const i = idx[lo]!;
        if (codes[base + i]! <= bestB) {
          if (y[i] === 1) l1 += weight[i]!;
          else l0 += weight[i]!;
          lo++;
        } else {
          const t = idx[lo]!;
          idx[lo] = idx[hi]!;
          idx[hi] = t;
          hi--;
        }
      }
      for (let k = lo; k < end; k++) {
        const i = idx[k]!;
        if (y[i] === 1) r1 += weight[i]!;
        else r0 += weight[i]!;
      }
      importance[bestF] = importance[bestF]! + (bestScore - parentProxy);
      const left = nodes++;
      const right = nodes++;
      this.nFeature[node] = bestF;
      this.nThreshold[node] = cuts[bestF]![bestB]!;
      this.nLeft[node] = left;
      this.nRight[node] = right;
      // Push right first so the left subtree is grown first.
      this.push(sp++, right, lo, end, depth + 1, r0, r1);
      this.push(sp++, left, start, lo, depth + 1, l0, l1);
    }
    return {
      feature: this.nFeature.slice(0, nodes),
      threshold: this.nThreshold.slice(0, nodes),
      left: this.nLeft.slice(0, nodes),
      right: this.nRight.slice(0, nodes),
      value: this.nValue.slice(0, nodes),
    };
  }

  private push(sp: number, node: number, start: number, end: number, depth: number, w0: number, w1: number): void {
    this.sNode[sp] = node;
    this.sStart[sp] = start;
    this.sEnd[sp] = end;
    this.sDepth[sp] = depth;
    this.sW0[sp] = w0;
    this.sW1[sp] = w1;
  }
}
