/**
 * AssemblyScript source of the JSON number writer: doubles to the text JavaScript's `String(x)`
 * gives them (the shortest digits that read back to the same double, the closest of those, ties
 * to even; ECMAScript Number::toString's notation), written as bytes with the separators of a JSON
 * list or table. Built by `npm run build` (scripts/build-wasm.mjs) into
 * dist/src/cli/wasm/json-numbers.wasm; loaded by ../number-bytes.ts, which fills the power-of-five
 * tables (computed exactly with BigInt) and checks the result against String(x) at start-up.
 * Not part of the TypeScript program (tsconfig excludes this directory).
 *
 * The digits are Ulf Adams' Ryu ("Ryu: fast float-to-string conversion", PLDI 2018), written here
 * step for step after its reference d2s.c (Apache-2.0 or Boost licence), with 128-bit products from
 * 32-bit halves.
 *
 * Memory: page 0 holds AssemblyScript's static area; the tables start at TABLE_AT (set by the
 * loader), the numbers to write at SRC_AT, the text at OUT_AT (see number-bytes.ts).
 */

// @ts-nocheck (AssemblyScript)

const TABLE_AT: usize = 65536;
/** DOUBLE_POW5_INV_SPLIT: 342 entries of two u64 (low, high). */
const INV_AT: usize = TABLE_AT;
/** DOUBLE_POW5_SPLIT: 326 entries of two u64, after the inverse table. */
const POS_AT: usize = TABLE_AT + 342 * 16;
const POW5_INV_BITCOUNT: i32 = 125;
const POW5_BITCOUNT: i32 = 125;

@inline
function pow5bits(e: i32): i32 {
  return <i32>((<u32>e * 1217359) >> 19) + 1;
}
@inline
function log10Pow2(e: i32): u32 {
  return (<u32>e * 78913) >> 18;
}
@inline
function log10Pow5(e: i32): u32 {
  return (<u32>e * 732923) >> 20;
}

function pow5Factor(v: u64): u32 {
  let count: u32 = 0;
  for (;;) {
    const q = v / 5;
    const r = <u32>(v - 5 * q);
    if (r != 0) break;
    v = q;
    ++count;
  }
  return count;
}

@inline
function multipleOfPowerOf5(v: u64, p: u32): bool {
  return pow5Factor(v) >= p;
}

@inline
function multipleOfPowerOf2(v: u64, p: u32): bool {
  return (v & ((<u64>1 << p) - 1)) == 0;
}

/** The high 64 bits of a * b. */
@inline
function umulh(a: u64, b: u64): u64 {
  const aLo = a & 0xffffffff;
  const aHi = a >> 32;
  const bLo = b & 0xffffffff;
  const bHi = b >> 32;
  const b00 = aLo * bLo;
  const b01 = aLo * bHi;
  const b10 = aHi * bLo;
  const b11 = aHi * bHi;
  const mid1 = b10 + (b00 >> 32);
  const mid2 = b01 + (mid1 & 0xffffffff);
  return b11 + (mid1 >> 32) + (mid2 >> 32);
}

/** (m * mul) >> j for the 128-bit mul at `p` (low, high), with 64 < j < 128. */
@inline
function mulShift64(m: u64, p: usize, j: i32): u64 {
  const mul0 = load<u64>(p);
  const mul1 = load<u64>(p, 8);
  const high0 = umulh(m, mul0);
  const low1 = m * mul1;
  let high1 = umulh(m, mul1);
  const sum = high0 + low1;
  if (sum < high0) ++high1;
  const dist = <u64>(j - 64);
  return (high1 << (64 - dist)) | (sum >> dist);
}

@inline
function decimalLength17(v: u64): i32 {
  if (v >= 10000000000000000) return 17;
  if (v >= 1000000000000000) return 16;
  if (v >= 100000000000000) return 15;
  if (v >= 10000000000000) return 14;
  if (v >= 1000000000000) return 13;
  if (v >= 100000000000) return 12;
  if (v >= 10000000000) return 11;
  if (v >= 1000000000) return 10;
  if (v >= 100000000) return 9;
  if (v >= 10000000) return 8;
  if (v >= 1000000) return 7;
  if (v >= 100000) return 6;
  if (v >= 10000) return 5;
  if (v >= 1000) return 4;
  if (v >= 100) return 3;
  if (v >= 10) return 2;
  return 1;
}

/** Ryu's decimal digits of a positive finite double: set by d2d. */
let outDigits: u64 = 0;
let outExponent: i32 = 0;

function d2d(ieeeMantissa: u64, ieeeExponent: u32): void {
  let e2: i32;
  let m2: u64;
  if (ieeeExponent == 0) {
    e2 = 1 - 1023 - 52 - 2;
    m2 = ieeeMantissa;
  } else {
    e2 = <i32>ieeeExponent - 1023 - 52 - 2;
    m2 = (<u64>1 << 52) | ieeeMantissa;
  }
  const even = (m2 & 1) == 0;
  const acceptBounds = even;
  const mv = 4 * m2;
  const mmShift: u64 = ieeeMantissa != 0 || ieeeExponent <= 1 ? 1 : 0;
  let vr: u64;
  let vp: u64;
  let vm: u64;
  let e10: i32;
  let vmIsTrailingZeros = false;
  let vrIsTrailingZeros = false;
  if (e2 >= 0) {
    const q = log10Pow2(e2) - (e2 > 3 ? 1 : 0);
    e10 = <i32>q;
    const k = POW5_INV_BITCOUNT + pow5bits(<i32>q) - 1;
    const i = -e2 + <i32>q + k;
    const p = INV_AT + (<usize>q << 4);
    vr = mulShift64(4 * m2, p, i);
    vp = mulShift64(4 * m2 + 2, p, i);
    vm = mulShift64(4 * m2 - 1 - mmShift, p, i);
    if (q <= 21) {
      const mvMod5 = <u32>(mv - 5 * (mv / 5));
      if (mvMod5 == 0) vrIsTrailingZeros = multipleOfPowerOf5(mv, q);
      else if (acceptBounds) vmIsTrailingZeros = multipleOfPowerOf5(mv - 1 - mmShift, q);
      else vp -= multipleOfPowerOf5(mv + 2, q) ? 1 : 0;
    }
  } else {
    const q = log10Pow5(-e2) - (-e2 > 1 ? 1 : 0);
    e10 = <i32>q + e2;
    const i = -e2 - <i32>q;
    const k = pow5bits(i) - POW5_BITCOUNT;
    const j = <i32>q - k;
    const p = POS_AT + (<usize>i << 4);
    vr = mulShift64(4 * m2, p, j);
    vp = mulShift64(4 * m2 + 2, p, j);
    vm = mulShift64(4 * m2 - 1 - mmShift, p, j);
    if (q <= 1) {
      vrIsTrailingZeros = true;
      if (acceptBounds) vmIsTrailingZeros = mmShift == 1;
      else --vp;
    } else if (q < 63) {
      vrIsTrailingZeros = multipleOfPowerOf2(mv, q);
    }
  }
  let removed: i32 = 0;
  let lastRemovedDigit: u32 = 0;
  let output: u64;
  if (vmIsTrailingZeros || vrIsTrailingZeros) {
    for (;;) {
      const vpDiv10 = vp / 10;
      const vmDiv10 = vm / 10;
      if (vpDiv10 <= vmDiv10) break;
      const vmMod10 = <u32>(vm - 10 * vmDiv10);
      const vrDiv10 = vr / 10;
      const vrMod10 = <u32>(vr - 10 * vrDiv10);
      vmIsTrailingZeros = vmIsTrailingZeros && vmMod10 == 0;
      vrIsTrailingZeros = vrIsTrailingZeros && lastRemovedDigit == 0;
      lastRemovedDigit = vrMod10;
      vr = vrDiv10;
      vp = vpDiv10;
      vm = vmDiv10;
      ++removed;
    }
    if (vmIsTrailingZeros) {
      for (;;) {
        const vmDiv10 = vm / 10;
        const vmMod10 = <u32>(vm - 10 * vmDiv10);
        if (vmMod10 != 0) break;
        const vpDiv10 = vp / 10;
        const vrDiv10 = vr / 10;
        const vrMod10 = <u32>(vr - 10 * vrDiv10);
        vrIsTrailingZeros = vrIsTrailingZeros && lastRemovedDigit == 0;
        lastRemovedDigit = vrMod10;
        vr = vrDiv10;
        vp = vpDiv10;
        vm = vmDiv10;
        ++removed;
      }
    }
    // Round to even when the exact number is ...50..0.
    if (vrIsTrailingZeros && lastRemovedDigit == 5 && vr % 2 == 0) lastRemovedDigit = 4;
    output = vr + ((vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5 ? 1 : 0);
  } else {
    let roundUp = false;
    const vpDiv100 = vp / 100;
    const vmDiv100 = vm / 100;
    if (vpDiv100 > vmDiv100) {
      const vrDiv100 = vr / 100;
      const vrMod100 = <u32>(vr - 100 * vrDiv100);
      roundUp = vrMod100 >= 50;
      vr = vrDiv100;
      vp = vpDiv100;
      vm = vmDiv100;
      removed += 2;
    }
    for (;;) {
      const vpDiv10 = vp / 10;
      const vmDiv10 = vm / 10;
      if (vpDiv10 <= vmDiv10) break;
      const vrDiv10 = vr / 10;
      const vrMod10 = <u32>(vr - 10 * vrDiv10);
      roundUp = vrMod10 >= 5;
      vr = vrDiv10;
      vp = vpDiv10;
      vm = vmDiv10;
      ++removed;
    }
    output = vr + (vr == vm || roundUp ? 1 : 0);
  }
  outDigits = output;
  outExponent = e10 + removed;
}

/** The `len` decimal digits of v, written so that the last one lands at end - 1. */
@inline
function digitsBackwards(v: u64, end: usize): void {
  let p = end;
  // Eight digits at a time in 32-bit arithmetic, one 64-bit division per eight.
  while (v >= 100000000) {
    const q = v / 100000000;
    let r = <u32>(v - 100000000 * q);
    v = q;
    for (let d = 0; d < 8; d++) {
      const r10 = r / 10;
      store<u8>(--p, <u8>(48 + r - 10 * r10));
      r = r10;
    }
  }
  let w = <u32>v;
  do {
    const w10 = w / 10;
    store<u8>(--p, <u8>(48 + w - 10 * w10));
    w = w10;
  } while (w != 0);
}

/** x as String(x) writes it (JSON: "null" when not finite, "0" for -0) at `at`; returns the end. */
function writeNumber(x: f64, at: usize): usize {
  const bits = reinterpret<u64>(x);
  const ieeeExponent = <u32>((bits >> 52) & 0x7ff);
  const ieeeMantissa = bits & 0xfffffffffffff;
  if (ieeeExponent == 0x7ff) {
    store<u32>(at, 0x6c6c756e); // "null"
    return at + 4;
  }
  if (ieeeExponent == 0 && ieeeMantissa == 0) {
    store<u8>(at, 48);
    return at + 1;
  }
  let p = at;
  if ((bits >> 63) != 0) store<u8>(p++, 45); // "-"
  d2d(ieeeMantissa, ieeeExponent);
  const k = decimalLength17(outDigits);
  const n = outExponent + k; // the decimal point's place: value = 0.d1..dk x 10^n
  if (k <= n && n <= 21) {
    digitsBackwards(outDigits, p + <usize>k);
    p += <usize>k;
    for (let z = k; z < n; z++) store<u8>(p++, 48);
    return p;
  }
  if (0 < n && n <= 21) {
    // d1..dn "." dn+1..dk: write the digits one place right of their final place, then move the first n left.
    digitsBackwards(outDigits, p + <usize>k + 1);
    for (let z = 0; z < n; z++) store<u8>(p + <usize>z, load<u8>(p + <usize>z + 1));
    store<u8>(p + <usize>n, 46);
    return p + <usize>k + 1;
  }
  if (-6 < n && n <= 0) {
    store<u8>(p++, 48);
    store<u8>(p++, 46);
    for (let z = n; z < 0; z++) store<u8>(p++, 48);
    digitsBackwards(outDigits, p + <usize>k);
    return p + <usize>k;
  }
  // Exponential notation: d1 ["." d2..dk] "e" sign (n - 1).
  if (k == 1) {
    store<u8>(p++, <u8>(48 + <u32>outDigits));
  } else {
    digitsBackwards(outDigits, p + <usize>k + 1);
    store<u8>(p, load<u8>(p + 1));
    store<u8>(p + 1, 46);
    p += <usize>k + 1;
  }
  store<u8>(p++, 101); // "e"
  let e = n - 1;
  if (e < 0) {
    store<u8>(p++, 45);
    e = -e;
  } else store<u8>(p++, 43);
  if (e >= 100) {
    store<u8>(p++, <u8>(48 + e / 100));
    e %= 100;
    store<u8>(p++, <u8>(48 + e / 10));
    store<u8>(p++, <u8>(48 + e % 10));
  } else if (e >= 10) {
    store<u8>(p++, <u8>(48 + e / 10));
    store<u8>(p++, <u8>(48 + e % 10));
  } else store<u8>(p++, <u8>(48 + e));
  return p;
}

/**
 * Write `count` doubles from `src` as the items of a JSON list (`width` 0: "," between items) or
 * of a table of rows of `width` (item i of the table starting at `first`: "[" before the first
 * item, "],[" before each row's first item, "," before the others), at `out`; returns the bytes
 * written. The caller writes the outer brackets.
 */
export function writeItems(src: usize, count: i32, first: i32, width: i32, out: usize): i32 {
  let p = out;
  for (let c = 0; c < count; c++) {
    const i = first + c;
    if (width > 0) {
      if (i % width == 0) {
        if (i == 0) store<u8>(p++, 91);
        else {
          store<u8>(p, 93);
          store<u8>(p + 1, 44);
          store<u8>(p + 2, 91);
          p += 3;
        }
      } else store<u8>(p++, 44);
    } else if (i > 0) store<u8>(p++, 44);
    p = writeNumber(load<f64>(src + (<usize>c << 3)), p);
  }
  return <i32>(p - out);
}
