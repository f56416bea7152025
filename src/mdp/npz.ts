/**
 * numpy's `.npz` format: a zip archive of `.npy` files, one per array name (`numpy.savez` stores
 * them, `numpy.savez_compressed` deflates them). An archive is read from a {@link ByteSource} (bytes
 * in memory, or a file at the Node edge), array by array: whole, or streamed in chunks of values so
 * that a table of tens of millions of entries goes straight into the typed arrays that keep it.
 */
import { zipSync } from "fflate";
import { NumpyFormatError, decodeNpyValues, isNpy, npyHeaderNeeds, parseNpy, parseNpyHeader, type NpyArray, type NpyHeader } from "./npy.js";
import { bytesSource, readMember, streamMember, zipMembers, type ByteSource, type ZipMember } from "./zip.js";

/** True when the bytes start like a zip archive (an `.npz` file). */
export function isZip(bytes: Uint8Array): boolean {
  // A local file header, or (an archive with no files) the end of the central directory.
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 0x03 && bytes[3] === 0x04) || (bytes[2] === 0x05 && bytes[3] === 0x06));
}

/** Longest `.npy` header read (numpy's are a few hundred bytes; version 2 allows 4 GiB). */
const MAX_HEADER_BYTES = 1 << 20;

/** Bytes read at a time while looking for a `.npy` header alone. */
const HEADER_CHUNK = 1 << 12;

/** Values per chunk handed to {@link NpzArchive.forEachChunk}'s callback. */
const VALUES_PER_CHUNK = 1 << 16;

/** An `.npz` archive opened for reading, array by array. */
export interface NpzArchive {
  /** How errors name the archive. */
  readonly source: string;
  /** Array names (member names without ".npy"), in archive order. */
  readonly names: readonly string[];
  has(name: string): boolean;
  /** The `.npy` header of an array (read without decoding its data). */
  header(name: string): NpyHeader;
  /** The whole array, values in C order. */
  read(name: string): NpyArray;
  /**
   * The array's values in C order, in chunks: `f(values, count, first)` sees `values[0..count)`,
   * elements `first..first+count` (the buffer is reused between calls). String arrays and
   * multi-dimensional Fortran-order arrays come in one chunk.
   */
  forEachChunk(name: string, f: (values: Float64Array, count: number, first: number) => void): NpyHeader;
}

/** Chunk sizes of {@link openNpz} (small ones let tests cross every boundary). */
export interface NpzReadOptions {
  /** Bytes read from the source at a time (default 8 MiB). */
  readonly chunkBytes?: number;
  /** Values per chunk handed to {@link NpzArchive.forEachChunk}'s callback (default 2^20). */
  readonly valuesPerChunk?: number;
}

/** Thrown inside a stream to stop it once a header has been read. */
const HEADER_READ = Symbol("header read");

/**
 * Open an `.npz` archive.
 * @throws {@link NumpyFormatError} for bytes that are not a zip archive or an archive with no arrays.
 */
export function openNpz(src: ByteSource, source: string, options: NpzReadOptions = {}): NpzArchive {
  const head = new Uint8Array(Math.min(4, src.size));
  src.read(head, 0);
  if (!isZip(head)) throw new NumpyFormatError(source, "not an .npz file (it is not a zip archive)");
  const members = new Map<string, ZipMember>();
  for (const member of zipMembers(src, source)) {
    if (member.name.endsWith("/")) continue;
    members.set(member.name.endsWith(".npy") ? member.name.slice(0, -4) : member.name, member);
  }
  if (members.size === 0) throw new NumpyFormatError(source, "the .npz archive holds no arrays");
  const headers = new Map<string, NpyHeader>();
  const where = (m: ZipMember) => `${source}: ${m.name}`;
  const memberOf = (name: string): ZipMember => {
    const m = members.get(name);
    if (!m) throw new NumpyFormatError(source, `the .npz archive holds no array "${name}"`);
    return m;
  };
  const read = (name: string): NpyArray => {
    const m = memberOf(name);
    return parseNpy(readMember(src, m, source), where(m));
  };
  /** Gather the first bytes of a member until its header is whole; `rest` gets what follows. */
  const stream = (m: ZipMember, onHeader: (h: NpyHeader) => void, rest: (chunk: Uint8Array) => void, chunkBytes = options.chunkBytes) => {
    let pending: Uint8Array | null = new Uint8Array(0);
    const take = (chunk: Uint8Array) => {
      if (pending === null) return rest(chunk);
      // The first chunk holds the whole header as a rule: it is used as it is (no copy of a 1 MiB
      // chunk per member), and copied only when the header goes on in the next chunk.
      let joined: Uint8Array = chunk;
      if (pending.length > 0) {
        joined = new Uint8Array(pending.length + chunk.length);
        joined.set(pending);
        joined.set(chunk, pending.length);
      }
      // Not a .npy at all, or a header longer than any numpy writes: parseNpyHeader says why now.
      const needs = joined.length >= 6 && !isNpy(joined) ? 0 : npyHeaderNeeds(joined);
      if (needs > MAX_HEADER_BYTES) throw new NumpyFormatError(where(m), `the .npy header claims ${needs} bytes; numpy's headers are a few hundred`);
      if (needs > 0 && joined.length < needs && joined.length < m.size) {
        pending = joined === chunk ? chunk.slice() : joined; // the chunk is only valid during the call
        return;
      }
      const h = parseNpyHeader(joined, where(m));
      headers.set(m.name, h);
      pending = null;
      onHeader(h);
      if (joined.length > h.dataOffset) rest(joined.subarray(h.dataOffset));
    };
    streamMember(src, m, source, take, chunkBytes);
    if (pending !== null) parseNpyHeader(pending, where(m)); // an empty or cut member: say why
  };
  const header = (name: string): NpyHeader => {
    const m = memberOf(name);
    const known = headers.get(m.name);
    if (known) return known;
    try {
      stream(
        m,
        () => {
          throw HEADER_READ;
        },
        () => undefined,
        // A header is a few hundred bytes: read that much, not a whole chunk of the data after it.
        Math.min(options.chunkBytes ?? HEADER_CHUNK, HEADER_CHUNK),
      );
    } catch (e) {
      if (e !== HEADER_READ) throw e;
    }
    return headers.get(m.name)!;
  };
  const forEachChunk = (name: string, f: (values: Float64Array, count: number, first: number) => void): NpyHeader => {
    const m = memberOf(name);
    const h0 = header(name);
    if (h0.kind === "U" || (h0.fortran && h0.shape.length > 1)) {
      const a = read(name);
      f(a.data, a.data.length, 0);
      return h0;
    }
    const values = new Float64Array(Math.max(1, Math.min(options.valuesPerChunk ?? VALUES_PER_CHUNK, h0.count)));
    const carry = new Uint8Array(h0.itemSize);
    let carried = 0;
    let done = 0;
    const take = (bytes: Uint8Array) => {
      const h = h0;
      let at = 0;
      // Complete an element split across two chunks.
      if (carried > 0) {
        const k = Math.min(h.itemSize - carried, bytes.length);
        carry.set(bytes.subarray(0, k), carried);
        carried += k;
        at = k;
        if (carried < h.itemSize) return;
        if (done < h.count) {
          decodeNpyValues(h, carry, 1, values, done, where(m));
          f(values, 1, done);
          done++;
        }
        carried = 0;
      }
      while (at < bytes.length && done < h.count) {
        const whole = Math.min(Math.floor((bytes.length - at) / h.itemSize), values.length, h.count - done);
        if (whole === 0) {
          carried = bytes.length - at;
          carry.set(bytes.subarray(at), 0);
          return;
        }
        decodeNpyValues(h, bytes.subarray(at, at + whole * h.itemSize), whole, values, done, where(m));
        f(values, whole, done);
        done += whole;
        at += whole * h.itemSize;
      }
    };
    stream(m, () => undefined, take);
    if (done < h0.count) {
      const have = done * h0.itemSize + carried;
      throw new NumpyFormatError(where(m), `the .npy data is ${have} bytes but shape (${h0.shape.join(", ")}) of ${h0.descr} needs ${h0.count * h0.width}`);
    }
    return h0;
  };
  return { source, names: [...members.keys()], has: (name) => members.has(name), header, read, forEachChunk };
}

/**
 * The arrays of `.npz` bytes by name (the member name without ".npy"), in archive order.
 * @throws {@link NumpyFormatError} for bytes that are not a zip archive, a member that is not a
 *   `.npy` file, or a compression method other than stored and deflate.
 */
export function parseNpz(bytes: Uint8Array, source: string): Map<string, NpyArray> {
  if (!isZip(bytes)) throw new NumpyFormatError(source, "not an .npz file (it is not a zip archive)");
  const archive = openNpz(bytesSource(bytes), source);
  return new Map(archive.names.map((name) => [name, archive.read(name)]));
}

/**
 * Write an `.npz` archive (stored, not compressed, as `numpy.savez` writes) from `.npy` files by
 * array name; `numpy.load(path)` reads it back.
 */
export function encodeNpz(arrays: Readonly<Record<string, Uint8Array>>): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 }]> = {};
  for (const [name, npy] of Object.entries(arrays)) files[`${name}.npy`] = [npy, { level: 0 }];
  // A fixed time stamp keeps the output identical from run to run.
  return zipSync(files, { mtime: new Date(1980, 0, 1) });
}
