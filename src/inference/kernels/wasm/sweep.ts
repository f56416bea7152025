/**
 * AssemblyScript source of the WebAssembly sweep kernel (value space: variational and hard
 * backups), the same sweep as sweep-core.ts sweepRange, entry for entry and in the same order of
 * additions, on the arrays of a SweepData that live in one shared WebAssembly.Memory (every
 * pointer argument is a byte offset into it). Built by `npm run build` (scripts/build-wasm.mjs:
 * asc --enable simd --enable threads --importMemory --sharedMemory) into
 * dist/src/inference/kernels/wasm/sweep.wasm; loaded by ../wasm.ts. Not part of the TypeScript
 * program (tsconfig excludes this directory): AssemblyScript's types (i32, f64, usize, v128).
 *
 * SIMD: in the relative layout with one coefficient (grids), two actions whose rows hold three live
 * entries each are computed in the two lanes of an f64x2 (the successors' values loaded lane by
 * lane), each lane adding in the scalar order (b + c V0 + c V1 + c V2, no fused multiply-add), so the
 * result is the scalar one bit for bit.
 */

// @ts-nocheck (AssemblyScript)

/** expm1 with the branches of sweep-core.ts expm1Fast (each within 1 ulp of expm1). */
@inline
function expm1Fast(x: f64): f64 {
  const ax = Math.abs(x);
  if (ax < 7.450580596923828e-9) return ax < 3.054936363499605e-151 ? x : x + 0.5 * x * x;
  if (ax < 0.0009765625) {
    return x + x * x * (0.5 + x * (0.16666666666666666 + x * (0.041666666666666664 + x * (0.008333333333333333 + x * 0.001388888888888889))));
  }
  return Math.expm1(x);
}

/** log1p with the branches of sweep-core.ts log1pFast. */
@inline
function log1pFast(y: f64): f64 {
  const ay = Math.abs(y);
  if (ay < 7.450580596923828e-9) return ay < 3.054936363499605e-151 ? y : y - 0.5 * y * y;
  if (ay < 0.0009765625) {
    return y - y * y * (0.5 - y * (0.3333333333333333 - y * (0.25 - y * (0.2 - y * (0.16666666666666666 - y * 0.14285714285714285)))));
  }
  return Math.log1p(y);
}

/** rowIndex[row] (and rowLen[row]) for element widths 1 (Uint8), 2 (Uint16) and 4 (Int32). */
@inline
function rowId(p: usize, width: i32, row: i32): i32 {
  if (width === 1) return <i32>load<u8>(p + <usize>row);
  if (width === 2) return <i32>load<u16>(p + (<usize>row << 1));
  return load<i32>(p + (<usize>row << 2));
}

@inline
function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

/**
 * sweepRange of sweep-core.ts: states [lo, hi) (descending when `descending` is 1), successor
 * values from V, new values to Vw, Q for its rows; out[at..at+3] = max |dQ|, max(1, max |Q|), hot
 * range start and end (states whose max_a |dQ| exceeds hotCut). Rows are given by their lengths
 * (rowLen, element width rowLenWidth) and the first entry of state lo (k0) or one past the last
 * entry of state hi - 1 (kEnd), instead of a copy of the row starts (4 bytes a row) in this memory.
 */
export function sweepRange(
  m: i32,
  rowLen: usize,
  rowLenWidth: i32,
  k0: i32,
  kEnd: i32,
  packed: usize,
  rel: usize,
  relative: i32,
  bits: i32,
  mask: i32,
  dense: i32,
  coef: usize,
  rowIndex: usize,
  rowIndexWidth: i32,
  rowTable: usize,
  zeroFrom: i32,
  semiring: i32,
  up: f64,
  lmc: f64,
  probs: usize,
  logMass: usize,
  alpha: f64,
  Q: usize,
  lo: i32,
  hi: i32,
  descending: i32,
  V: usize,
  Vw: usize,
  out: usize,
  hotCut: f64,
): void {
  const relSingle = relative === 1 && bits === 0;
  const c0 = load<f64>(coef);
  const c0v = f64x2.splat(c0);
  const tempered = semiring === 0;
  const inv = 1 / alpha;
  let res: f64 = 0;
  let scale: f64 = 1;
  let hotLo: f64 = <f64>hi;
  let hotHi: f64 = <f64>lo;
  const count = hi - lo;
  const first = descending === 1 ? hi - 1 : lo;
  // Ascending: the first entry of the next state; descending: of the last state swept.
  let kRun = descending === 1 ? kEnd : k0;
  for (let i = 0; i < count; i++) {
    const s = descending === 1 ? first - i : first + i;
    const base = s * m;
    let mx: f64 = -Infinity;
    let ds: f64 = 0;
    let k = kRun;
    if (descending === 1) {
      for (let b = 0; b < m; b++) k -= rowId(rowLen, rowLenWidth, base + b);
      kRun = k;
    }
    let a = 0;
    while (a < m) {
      const row = base + a;
      const id = rowId(rowIndex, rowIndexWidth, row);
      const k1 = k + rowId(rowLen, rowLenWidth, row);
      if (relSingle && a + 1 < m && id < zeroFrom && k1 - k === 3) {
        const id1 = rowId(rowIndex, rowIndexWidth, row + 1);
        const k2 = k1 + rowId(rowLen, rowLenWidth, row + 1);
        if (id1 < zeroFrom && k2 - k1 === 3) {
          // Two rows in the two lanes: lane 0 row, lane 1 row + 1.
          const r0 = rel + (<usize>k << 1);
          let acc = f64x2.replace_lane(f64x2.splat(ld(rowTable, id)), 1, ld(rowTable, id1));
          let v = v128.load64_lane(V + (<usize>(s + <i32>load<i16>(r0)) << 3), f64x2.splat(0), 0);
          v = v128.load64_lane(V + (<usize>(s + <i32>load<i16>(r0, 6)) << 3), v, 1);
          acc = f64x2.add(acc, f64x2.mul(c0v, v));
          v = v128.load64_lane(V + (<usize>(s + <i32>load<i16>(r0, 2)) << 3), v, 0);
          v = v128.load64_lane(V + (<usize>(s + <i32>load<i16>(r0, 8)) << 3), v, 1);
          acc = f64x2.add(acc, f64x2.mul(c0v, v));
          v = v128.load64_lane(V + (<usize>(s + <i32>load<i16>(r0, 4)) << 3), v, 0);
          v = v128.load64_lane(V + (<usize>(s + <i32>load<i16>(r0, 10)) << 3), v, 1);
          acc = f64x2.add(acc, f64x2.mul(c0v, v));
          k = k2;
          const qp = Q + (<usize>row << 3);
          const old = v128.load(qp);
          v128.store(qp, acc);
          const d = f64x2.abs(f64x2.sub(acc, old));
          const q0 = f64x2.extract_lane(acc, 0);
          const q1 = f64x2.extract_lane(acc, 1);
          const d0 = f64x2.extract_lane(d, 0);
          const d1 = f64x2.extract_lane(d, 1);
          if (d0 > ds) ds = d0;
          if (d1 > ds) ds = d1;
          const a0 = Math.abs(q0);
          const a1 = Math.abs(q1);
          if (a0 > scale) scale = a0;
          if (a1 > scale) scale = a1;
          if (q0 > mx && (up > 0 || ld(probs, row) > 0)) mx = q0;
          if (q1 > mx && (up > 0 || ld(probs, row + 1) > 0)) mx = q1;
          a += 2;
          continue;
        }
      }
      let acc = ld(rowTable, id);
      if (relSingle && id < zeroFrom) {
        for (; k < k1; k++) acc += c0 * ld(V, s + <i32>load<i16>(rel + (<usize>k << 1)));
      } else if (relSingle) {
        for (; k < k1; k++) {
          const x = <i32>load<i16>(rel + (<usize>k << 1));
          if (x !== -32768) acc += c0 * ld(V, s + x);
        }
      } else if (relative === 1) {
        for (; k < k1; k++) {
          const x = <i32>load<i16>(rel + (<usize>k << 1));
          acc += ld(coef, x & mask) * ld(V, s + (x >> bits));
        }
      } else if (dense === 1) {
        for (; k < k1; k++) acc += ld(coef, k) * ld(V, load<i32>(packed + (<usize>k << 2)));
      } else if (bits === 0) {
        for (; k < k1; k++) acc += c0 * ld(V, <i32>(<u32>load<i32>(packed + (<usize>k << 2))));
      } else {
        for (; k < k1; k++) {
          const x = <u32>load<i32>(packed + (<usize>k << 2));
          acc += ld(coef, <i32>x & mask) * ld(V, <i32>(x >>> <u32>bits));
        }
      }
      const qp = Q + (<usize>row << 3);
      const dq = Math.abs(acc - load<f64>(qp));
      if (dq > ds) ds = dq;
      const aq = Math.abs(acc);
      if (aq > scale) scale = aq;
      store<f64>(qp, acc);
      if (acc > mx && (up > 0 || ld(probs, row) > 0)) mx = acc;
      a++;
    }
    if (descending !== 1) kRun = k;
    if (ds > res) res = ds;
    if (ds > hotCut) {
      if (<f64>s < hotLo) hotLo = <f64>s;
      if (<f64>s >= hotHi) hotHi = <f64>(s + 1);
    }
    if (tempered) {
      let sm1: f64 = 0;
      if (up > 0) {
        for (let b = 0; b < m; b++) {
          const x = (ld(Q, base + b) - mx) * inv;
          if (x !== 0) sm1 += up * expm1Fast(x);
        }
        store<f64>(Vw + (<usize>s << 3), mx + alpha * (lmc + (sm1 === 0 ? 0 : log1pFast(sm1))));
      } else {
        for (let b = 0; b < m; b++) {
          const p = ld(probs, base + b);
          const x = (ld(Q, base + b) - mx) * inv;
          if (p > 0 && x !== 0) sm1 += p * expm1Fast(x);
        }
        store<f64>(Vw + (<usize>s << 3), mx + alpha * (ld(logMass, s) + (sm1 === 0 ? 0 : log1pFast(sm1))));
      }
    } else {
      store<f64>(Vw + (<usize>s << 3), mx);
    }
  }
  store<f64>(out, res);
  store<f64>(out, scale, 8);
  store<f64>(out, hotLo, 16);
  store<f64>(out, hotHi, 24);
}

/**
 * sweepRangeExp of sweep-core.ts (the exact backup, exp space, Jacobi): states [lo, hi) from the
 * first entry k0 of state lo, y from V, y' to Vw, zQ for its rows, entry for entry and in the same
 * order of operations. `wUniform` is pi0 exp(logMassConst) when every pi0(a|s) equals `up` (> 0);
 * otherwise exp(logMass(s)) is computed here (within 1 ulp of the JavaScript kernel's Math.exp).
 * out[at..at+7] as there.
 */
export function sweepRangeExp(
  m: i32,
  rowLen: usize,
  rowLenWidth: i32,
  k0: i32,
  packed: usize,
  rel: usize,
  relative: i32,
  bits: i32,
  mask: i32,
  dense: i32,
  coef: usize,
  rowIndex: usize,
  rowIndexWidth: i32,
  rowTable: usize,
  zeroFrom: i32,
  up: f64,
  wUniform: f64,
  probs: usize,
  logMass: usize,
  bS: f64,
  cS: f64,
  Q: usize,
  lo: i32,
  hi: i32,
  V: usize,
  Vw: usize,
  out: usize,
): void {
  const relSingle = relative === 1 && bits === 0;
  const c0 = load<f64>(coef);
  let rMax: f64 = 0;
  let rMin: f64 = Infinity;
  let qMax: f64 = 0;
  let qMin: f64 = Infinity;
  let yMax: f64 = 0;
  let yMin: f64 = Infinity;
  let kappa: f64 = 0;
  let k = k0;
  for (let s = lo; s < hi; s++) {
    const base = s * m;
    let z: f64 = 0;
    let zh: f64 = 0;
    for (let a = 0; a < m; a++) {
      const row = base + a;
      const id = rowId(rowIndex, rowIndexWidth, row);
      let acc: f64 = 0;
      const k1 = k + rowId(rowLen, rowLenWidth, row);
      if (relSingle && id < zeroFrom) {
        for (; k < k1; k++) acc += ld(V, s + <i32>load<i16>(rel + (<usize>k << 1)));
        acc *= c0;
      } else if (relSingle) {
        for (; k < k1; k++) {
          const x = <i32>load<i16>(rel + (<usize>k << 1));
          if (x !== -32768) acc += ld(V, s + x);
        }
        acc *= c0;
      } else if (relative === 1) {
        for (; k < k1; k++) {
          const x = <i32>load<i16>(rel + (<usize>k << 1));
          acc += ld(coef, x & mask) * ld(V, s + (x >> bits));
        }
      } else if (dense === 1) {
        for (; k < k1; k++) acc += ld(coef, k) * ld(V, load<i32>(packed + (<usize>k << 2)));
      } else if (bits === 0) {
        for (; k < k1; k++) acc += ld(V, <i32>(<u32>load<i32>(packed + (<usize>k << 2))));
        acc *= c0;
      } else {
        for (; k < k1; k++) {
          const x = <u32>load<i32>(packed + (<usize>k << 2));
          acc += ld(coef, <i32>x & mask) * ld(V, <i32>(x >>> <u32>bits));
        }
      }
      const qp = Q + (<usize>row << 3);
      const q = bS * ld(rowTable, id) + cS * acc;
      const ratio = q / (cS * load<f64>(qp));
      if (ratio > rMax) rMax = ratio;
      if (ratio < rMin) rMin = ratio;
      if (q > qMax) qMax = q;
      if (q < qMin) qMin = q;
      store<f64>(qp, q);
      const p = up > 0 ? 1 : ld(probs, row);
      z += p * q;
      zh += p * acc;
    }
    const w = up > 0 ? wUniform : Math.exp(ld(logMass, s));
    const y = w * z;
    store<f64>(Vw + (<usize>s << 3), y);
    const ratio = (w * zh) / ld(V, s);
    if (ratio > kappa) kappa = ratio;
    if (y > yMax) yMax = y;
    if (y < yMin) yMin = y;
  }
  store<f64>(out, rMax);
  store<f64>(out, rMin, 8);
  store<f64>(out, kappa, 16);
  store<f64>(out, 0, 24);
  store<f64>(out, qMax, 32);
  store<f64>(out, qMin, 40);
  store<f64>(out, yMax, 48);
  store<f64>(out, yMin, 56);
}
