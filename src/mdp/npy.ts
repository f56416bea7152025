/**
 * numpy's `.npy` format (format versions 1, 2 and 3): a magic string, a Python-literal header
 * `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }` padded to a multiple of 64 bytes, then
 * the array's bytes. Bytes in, arrays out: no file access here (the Node edge reads the file).
 *
 * Every numeric dtype numpy writes for tables is read (float64/32, signed and unsigned integers of
 * 1 to 8 bytes, bool), little or big endian, C or Fortran order; values come out as a Float64Array
 * in C order (row-major), so a float32 value is the exact double of the stored float32.
 */
import { InputError } from "../errors.js";

/** A `.npy`/`.npz` file that cannot be read, or an array of the wrong dtype or shape. */
export class NumpyFormatError extends InputError {
  constructor(source: string, detail: string, code = "bad-npy") {
    super([{ code, path: source, message: `${source}: ${detail}` }]);
  }
}

/** The kind of a numpy dtype: float, signed integer, unsigned integer, bool, or unicode string. */
export type NpyKind = "f" | "i" | "u" | "b" | "U";

/** An array read from a `.npy` file, values in C order. */
export interface NpyArray {
  /** The dtype as numpy writes it, e.g. "<f8", "<f4", "|b1", "<U5". */
  readonly descr: string;
  readonly kind: NpyKind;
  /** Bytes per element (for "U": per character, 4). */
  readonly itemSize: number;
  readonly shape: readonly number[];
  /** The values in C order (numbers for every kind except "U"). */
  readonly data: Float64Array;
  /** The strings of a unicode array ("U" kind only), in C order. */
  readonly strings?: readonly string[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** True when the bytes start with the `.npy` magic string. */
export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && MAGIC.every((b, i) => bytes[i] === b);
}

/** Number of elements of a shape (1 for a 0-d array). */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Parse a `.npy` file.
 * @param source - how errors name the input (a file name, or "file.npz: Q.npy").
 * @throws {@link NumpyFormatError} for a bad magic string, header, dtype (object arrays, complex,
 *   structured, float16) or a file shorter than its header says, and for int64 values beyond 2^53.
 */
/** What a `.npy` header says: the dtype, the shape and where the data starts. */
export interface NpyHeader {
  readonly descr: string;
  readonly kind: NpyKind;
  /** Bytes per element (for "U": per character, 4). */
  readonly itemSize: number;
  readonly shape: readonly number[];
  readonly fortran: boolean;
  readonly little: boolean;
  /** Offset of the first element from the start of the `.npy` bytes. */
  readonly dataOffset: number;
  /** Number of elements. */
  readonly count: number;
  /** Bytes per element in the data (for "U": 4 x characters). */
  readonly width: number;
}

/**
 * Bytes a `.npy` header needs before {@link parseNpyHeader} can read it: 0 once `bytes` hold it
 * all, else how many bytes in all (at least 12) to gather first.
 */
export function npyHeaderNeeds(bytes: Uint8Array): number {
  if (bytes.length < 12) return 12;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const total = bytes[6] === 1 ? 10 + view.getUint16(8, true) : 12 + view.getUint32(8, true);
  return bytes.length >= total ? 0 : total;
}

/**
 * Read a `.npy` header (the data may follow in the same bytes, or not).
 * @throws {@link NumpyFormatError} for a bad magic string or header, or a dtype this reader does not know.
 */
export function parseNpyHeader(bytes: Uint8Array, source: string): NpyHeader {
  if (!isNpy(bytes)) throw new NumpyFormatError(source, "not a .npy file (it does not start with \\x93NUMPY)");
  const major = bytes[6];
  if (bytes.length < 10) throw new NumpyFormatError(source, "the .npy file ends inside its header");
  let headerLen: number;
  let start: number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NumpyFormatError(source, "the .npy file ends inside its header");
    headerLen = view.getUint32(8, true);
    start = 12;
  } else throw new NumpyFormatError(source, `.npy format version ${major} is not one this reader knows (1, 2 or 3)`);
  if (start + headerLen > bytes.length) throw new NumpyFormatError(source, "the .npy file ends inside its header");
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    if (/'descr'\s*:\s*\[/.test(header)) throw new NumpyFormatError(source, "structured arrays (record dtypes) are not tables: save one plain array per name");
    throw new NumpyFormatError(source, `cannot read the .npy header ${JSON.stringify(header.trim())}`);
  }
  const shape = shapeText
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "")
    .map((x) => Number(x.replace(/L$/, "")));
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new NumpyFormatError(source, `bad shape (${shapeText}) in the .npy header`);
  const m = /^([<>|=])([fiubUO?cSVMmae])(\d*)$/.exec(descr);
  if (!m) throw new NumpyFormatError(source, `dtype ${JSON.stringify(descr)} is not a plain number type`);
  const order = m[1]!;
  let kindChar = m[2]!;
  const itemSize = Number(m[3]);
  if (kindChar === "?") kindChar = "b";
  const supported: Record<string, number[]> = { f: [4, 8], i: [1, 2, 4, 8], u: [1, 2, 4, 8], b: [1], U: [4] };
  if (kindChar === "U") {
    // "<U5": 5 characters of 4 bytes each.
  } else if (!(kindChar in supported) || !supported[kindChar]!.includes(itemSize)) {
    const why = kindChar === "O" ? "object arrays (pickled Python objects) cannot be read without Python: convert to a numeric array" : kindChar === "c" ? "complex numbers are not probabilities or rewards" : kindChar === "f" && itemSize === 2 ? "float16 is too coarse for a table: save float32 or float64" : "not a numeric type this reader knows (float64/32, int/uint 8 to 64 bits, bool)";
    throw new NumpyFormatError(source, `dtype ${JSON.stringify(descr)}: ${why}`);
  }
  const kind = kindChar as NpyKind;
  const count = shapeSize(shape);
  return { descr, kind, itemSize, shape, fortran: fortran === "True", little: order !== ">", dataOffset: start + headerLen, count, width: kind === "U" ? 4 * itemSize : itemSize };
}

/** Typed arrays read and write in the host's byte order: little endian on every platform Node runs on. */
const HOST_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Scratch space for {@link decodeNpyValues}: aligned bytes for the typed-array fast paths. */
let scratch = new ArrayBuffer(1 << 16);

/**
 * Decode `count` numeric elements from `bytes` (the element bytes, from element `first` of the
 * array on) into `out[0..count)`. Little-endian float64, float32, int32 and int64 data take typed
 * views of an aligned copy, bytes and bools are read as they are; the rest a DataView read per element.
 * @throws {@link NumpyFormatError} for an int64 value beyond 2^53 (naming its element index).
 */
export function decodeNpyValues(h: NpyHeader, bytes: Uint8Array, count: number, out: Float64Array, first: number, source: string): void {
  const { kind, itemSize, little } = h;
  const size = count * itemSize;
  if (HOST_LITTLE && little && kind === "f" && itemSize === 8) {
    new Uint8Array(out.buffer, out.byteOffset, size).set(bytes.subarray(0, size));
    return;
  }
  if (HOST_LITTLE && little && (kind === "f" || kind === "i") && (itemSize === 4 || itemSize === 8)) {
    if (scratch.byteLength < size) scratch = new ArrayBuffer(size);
    new Uint8Array(scratch, 0, size).set(bytes.subarray(0, size));
    if (kind === "f" && itemSize === 4) {
      const f = new Float32Array(scratch, 0, count);
      for (let i = 0; i < count; i++) out[i] = f[i]!;
    } else if (itemSize === 4) {
      const v = new Int32Array(scratch, 0, count);
      for (let i = 0; i < count; i++) out[i] = v[i]!;
    } else {
      // int64 as (low, high) 32-bit halves: exact while |v| < 2^53.
      const v = new Int32Array(scratch, 0, 2 * count);
      for (let i = 0; i < count; i++) {
        const hi = v[2 * i + 1]!;
        const x = hi * 4294967296 + (v[2 * i]! >>> 0);
        if (!Number.isSafeInteger(x)) {
          const big = BigInt(hi) * 4294967296n + BigInt(v[2 * i]! >>> 0);
          throw new NumpyFormatError(source, `element ${first + i} is ${big}, beyond the integers a double holds exactly (2^53)`);
        }
        out[i] = x;
      }
    }
    return;
  }
  if (itemSize === 1 && (kind === "b" || kind === "u")) {
    for (let i = 0; i < count; i++) out[i] = bytes[i]!;
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) {
    const at = i * itemSize;
    let v: number;
    switch (kind + itemSize) {
      case "f8": v = view.getFloat64(at, little); break;
      case "f4": v = view.getFloat32(at, little); break;
      case "i1": v = view.getInt8(at); break;
      case "i2": v = view.getInt16(at, little); break;
      case "i4": v = view.getInt32(at, little); break;
      case "u1": case "b1": v = view.getUint8(at); break;
      case "u2": v = view.getUint16(at, little); break;
      case "u4": v = view.getUint32(at, little); break;
      case "i8": case "u8": {
        const big = kind === "i" ? view.getBigInt64(at, little) : view.getBigUint64(at, little);
        v = Number(big);
        if (!Number.isSafeInteger(v)) throw new NumpyFormatError(source, `element ${first + i} is ${big}, beyond the integers a double holds exactly (2^53)`);
        break;
      }
      default: throw new NumpyFormatError(source, `dtype ${h.descr} is not supported`);
    }
    out[i] = v;
  }
}

/**
 * Parse a `.npy` file.
 * @param source - how errors name the input (a file name, or "file.npz: Q.npy").
 * @throws {@link NumpyFormatError} for a bad magic string, header, dtype (object arrays, complex,
 *   structured, float16) or a file shorter than its header says, and for int64 values beyond 2^53.
 */
export function parseNpy(bytes: Uint8Array, source: string): NpyArray {
  const h = parseNpyHeader(bytes, source);
  const { descr, kind, itemSize, shape, little, count, width } = h;
  const body = h.dataOffset;
  if (bytes.length - body < count * width) {
    throw new NumpyFormatError(source, `the .npy data is ${bytes.length - body} bytes but shape (${shape.join(", ")}) of ${descr} needs ${count * width}`);
  }
  const data = new Float64Array(kind === "U" ? 0 : count);
  let strings: string[] | undefined;
  if (kind === "U") {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    strings = [];
    for (let i = 0; i < count; i++) {
      let s = "";
      for (let c = 0; c < itemSize; c++) {
        const code = view.getUint32(body + i * width + 4 * c, little);
        if (code === 0) break;
        s += String.fromCodePoint(code);
      }
      strings.push(s);
    }
  } else decodeNpyValues(h, bytes.subarray(body), count, data, 0, source);
  const arr = { descr, kind, itemSize, shape, data, ...(strings ? { strings } : {}) };
  return h.fortran && shape.length > 1 ? toCOrder(arr) : arr;
}

/** The same array in C order (numpy's Fortran order: the first index varies fastest). */
function toCOrder(a: NpyArray): NpyArray {
  const shape = a.shape;
  const d = shape.length;
  const count = shapeSize(shape);
  const fStride: number[] = new Array(d);
  let s = 1;
  for (let i = 0; i < d; i++) {
    fStride[i] = s;
    s *= shape[i]!;
  }
  const idx = new Array(d).fill(0);
  const move = <T>(from: ArrayLike<T>, to: { [k: number]: T }) => {
    idx.fill(0);
    for (let c = 0; c < count; c++) {
      let f = 0;
      for (let i = 0; i < d; i++) f += idx[i] * fStride[i]!;
      to[c] = from[f]!;
      for (let i = d - 1; i >= 0; i--) {
        if (++idx[i] < shape[i]!) break;
        idx[i] = 0;
      }
    }
  };
  const data = new Float64Array(a.data.length);
  if (a.data.length > 0) move(a.data, data);
  let strings: string[] | undefined;
  if (a.strings) {
    strings = new Array<string>(count);
    move(a.strings, strings);
  }
  return { ...a, data, ...(strings ? { strings } : {}) };
}

/** Element types {@link encodeNpy} writes. */
export type NpyWriteType = "<f8" | "<f4" | "<i8" | "<i4" | "|u1" | "|b1";

/**
 * Write a `.npy` file (format 1.0, C order, little endian): what `numpy.load` reads back.
 * @param values - in C order; integers for the integer types, 0/1 for bool.
 */
export function encodeNpy(values: ArrayLike<number>, shape: readonly number[], descr: NpyWriteType = "<f8"): Uint8Array {
  const count = shapeSize(shape);
  if (values.length !== count) throw new RangeError(`encodeNpy: ${values.length} values for shape (${shape.join(", ")})`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Magic (6) + version (2) + length (2) + header + padding + "\n", a multiple of 64 bytes.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header + " ".repeat(total - 10 - header.length - 1) + "\n";
  const size = { "<f8": 8, "<f4": 4, "<i8": 8, "<i4": 4, "|u1": 1, "|b1": 1 }[descr];
  const out = new Uint8Array(total + count * size);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  // The data starts at a multiple of 64 bytes: typed views write the common types without a call per element.
  if (HOST_LITTLE && (descr === "<f8" || descr === "<i8")) {
    const f = descr === "<f8" ? new Float64Array(out.buffer, total, count) : null;
    const w = f === null ? new Int32Array(out.buffer, total, 2 * count) : null;
    for (let i = 0; i < count; i++) {
      const v = values[i]!;
      if (f !== null) f[i] = v;
      else if (Number.isSafeInteger(v)) {
        // (low, high) halves of a two's-complement int64, exact below 2^53.
        const hi = Math.floor(v / 4294967296);
        w![2 * i] = v - hi * 4294967296;
        w![2 * i + 1] = hi;
      } else view.setBigInt64(total + 8 * i, BigInt(v), true);
    }
    return out;
  }
  for (let i = 0; i < count; i++) {
    const v = values[i]!;
    const at = total + i * size;
    switch (descr) {
      case "<f8": view.setFloat64(at, v, true); break;
      case "<f4": view.setFloat32(at, v, true); break;
      case "<i8": view.setBigInt64(at, BigInt(v), true); break;
      case "<i4": view.setInt32(at, v, true); break;
      case "|u1": view.setUint8(at, v); break;
      case "|b1": view.setUint8(at, v ? 1 : 0); break;
    }
  }
  return out;
}

/** Write a `.npy` of unicode strings (numpy's "<U" dtype, as `numpy.array(["a", "bc"])` saves). */
export function encodeNpyStrings(values: readonly string[], shape: readonly number[] = [values.length]): Uint8Array {
  const chars = values.map((s) => Array.from(s));
  const width = Math.max(1, ...chars.map((c) => c.length));
  const shapeText = shape.length === 0 ? "()" : shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '<U${width}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header + " ".repeat(total - 10 - header.length - 1) + "\n";
  const out = new Uint8Array(total + values.length * width * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  chars.forEach((c, i) => c.forEach((ch, j) => view.setUint32(total + (i * width + j) * 4, ch.codePointAt(0)!, true)));
  return out;
}
