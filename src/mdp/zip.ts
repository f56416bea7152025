/**
 * Reading a zip archive (the container of numpy's `.npz`) member by member, from any source of
 * bytes that can be read at a position: the bytes in memory, or a file at the Node edge
 * (read-source.ts). A member's bytes come out in chunks, so that a large `.npz` is decoded into the
 * arrays the engine keeps without the whole archive, or a whole member, ever being in memory: the
 * central directory is read from the end of the archive, zip64 included (numpy writes its members
 * with zip64 headers), stored members are read as they lie and deflated ones through fflate's
 * streaming inflater. No file access here.
 */
import { Inflate } from "fflate";
import { NumpyFormatError } from "./npy.js";

/** Bytes that can be read at any position: an archive in memory or an open file. */
export interface ByteSource {
  /** Size in bytes. */
  readonly size: number;
  /** Copy bytes from `position` into `into` (as many as fit and exist); returns how many were copied. */
  read(into: Uint8Array, position: number): number;
}

/** The bytes of an archive held in memory. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(into, position) {
      const n = Math.max(0, Math.min(into.length, bytes.length - position));
      into.set(bytes.subarray(position, position + n));
      return n;
    },
  };
}

/** One member of a zip archive, from its central directory entry. */
export interface ZipMember {
  readonly name: string;
  /** 0 stored, 8 deflated (the only two this reader knows). */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Where the member's local header starts. */
  readonly headerOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

/** Read exactly `length` bytes at `position`, or say the archive ends there. */
function readExact(src: ByteSource, position: number, length: number, source: string, what: string): DataView {
  const buf = new Uint8Array(length);
  if (position < 0 || position + length > src.size || src.read(buf, position) !== length) {
    throw new NumpyFormatError(source, `cannot read the zip archive (it ends inside ${what})`);
  }
  return new DataView(buf.buffer);
}

function u64(view: DataView, at: number, source: string): number {
  const v = Number(view.getBigUint64(at, true));
  if (!Number.isSafeInteger(v)) throw new NumpyFormatError(source, "cannot read the zip archive (a zip64 size beyond 2^53)");
  return v;
}

/**
 * The members of a zip archive, in central directory order.
 * @throws {@link NumpyFormatError} when the archive's end record or central directory cannot be
 *   read, or a member is encrypted.
 */
export function zipMembers(src: ByteSource, source: string): ZipMember[] {
  // The end of central directory record: 22 bytes, then a comment of up to 65535 bytes.
  const tail = Math.min(src.size, 22 + 65535);
  const end = new Uint8Array(tail);
  src.read(end, src.size - tail);
  const endView = new DataView(end.buffer);
  let eocd = -1;
  for (let i = tail - 22; i >= 0; i--) {
    if (endView.getUint32(i, true) === SIG_EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new NumpyFormatError(source, "cannot read the zip archive (no end of central directory record: a truncated file?)");
  let count = endView.getUint16(eocd + 10, true);
  let cdSize = endView.getUint32(eocd + 12, true);
  let cdOffset = endView.getUint32(eocd + 16, true);
  const eocdAt = src.size - tail + eocd;
  if ((count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && eocdAt >= 20) {
    const loc = readExact(src, eocdAt - 20, 20, source, "the zip64 locator");
    if (loc.getUint32(0, true) === SIG_LOCATOR64) {
      const rec = readExact(src, u64(loc, 8, source), 56, source, "the zip64 end record");
      if (rec.getUint32(0, true) !== SIG_EOCD64) throw new NumpyFormatError(source, "cannot read the zip archive (bad zip64 end record)");
      count = u64(rec, 32, source);
      cdSize = u64(rec, 40, source);
      cdOffset = u64(rec, 48, source);
    }
  }
  const cd = readExact(src, cdOffset, cdSize, source, "the central directory");
  const bytes = new Uint8Array(cd.buffer);
  const members: ZipMember[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cdSize || cd.getUint32(at, true) !== SIG_CENTRAL) throw new NumpyFormatError(source, "cannot read the zip archive (bad central directory entry)");
    const flags = cd.getUint16(at + 8, true);
    const method = cd.getUint16(at + 10, true);
    let compressedSize = cd.getUint32(at + 20, true);
    let size = cd.getUint32(at + 24, true);
    const nameLength = cd.getUint16(at + 28, true);
    const extraLength = cd.getUint16(at + 30, true);
    const commentLength = cd.getUint16(at + 32, true);
    let headerOffset = cd.getUint32(at + 42, true);
    const name = new TextDecoder(flags & 0x800 ? "utf-8" : "latin1").decode(bytes.subarray(at + 46, at + 46 + nameLength));
    // The zip64 extra field holds, in this order, each of the three values whose 32-bit field is full.
    let x = at + 46 + nameLength;
    const xEnd = x + extraLength;
    while (x + 4 <= xEnd) {
      const id = cd.getUint16(x, true);
      const len = cd.getUint16(x + 2, true);
      if (id === 0x0001) {
        let p = x + 4;
        if (size === 0xffffffff) (size = u64(cd, p, source)), (p += 8);
        if (compressedSize === 0xffffffff) (compressedSize = u64(cd, p, source)), (p += 8);
        if (headerOffset === 0xffffffff) headerOffset = u64(cd, p, source);
      }
      x += 4 + len;
    }
    if (flags & 0x1) throw new NumpyFormatError(source, `${name} is encrypted`);
    members.push({ name, method, compressedSize, size, headerOffset });
    at = xEnd + commentLength;
  }
  return members;
}

/**
 * Bytes read from the source per call while streaming a member: 1 MiB, a buffer that stays in the
 * cache and is reused from member to member ({@link streamMember}; a fresh buffer per member costs
 * its page faults each time, about 3 ms per MiB on a VM).
 */
const CHUNK = 1 << 20;

/** The read buffer of the last stream that ended, for the next one (streams may nest: each takes its own while it runs). */
let spare: Uint8Array | null = null;

/**
 * Stream a member's (uncompressed) bytes to `sink`, in chunks of {@link CHUNK} bytes; the chunks are only
 * valid during the call.
 * @throws {@link NumpyFormatError} for a compression method other than stored or deflate, or a
 *   member whose data is cut short or does not inflate to its stated size.
 */
export function streamMember(src: ByteSource, member: ZipMember, source: string, sink: (chunk: Uint8Array) => void, chunkBytes = CHUNK): void {
  const where = `${source}: ${member.name}`;
  if (member.method !== 0 && member.method !== 8) throw new NumpyFormatError(where, `compression method ${member.method} is not one this reader knows (stored or deflate)`);
  const local = readExact(src, member.headerOffset, 30, source, `the local header of ${member.name}`);
  if (local.getUint32(0, true) !== SIG_LOCAL) throw new NumpyFormatError(where, "cannot read the zip archive (bad local header)");
  let position = member.headerOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
  const stop = position + member.compressedSize;
  if (stop > src.size) throw new NumpyFormatError(where, "cannot read the zip archive (the member's data runs past the end of the file)");
  let produced = 0;
  const emit = (chunk: Uint8Array) => {
    produced += chunk.length;
    if (produced > member.size) throw new NumpyFormatError(where, `the member inflates to more than its stated ${member.size} bytes`);
    if (chunk.length > 0) sink(chunk);
  };
  let inflater: Inflate | undefined;
  if (member.method === 8) inflater = new Inflate((chunk) => emit(chunk));
  const size = Math.min(chunkBytes, Math.max(1, member.compressedSize));
  const buf = spare !== null && spare.length >= size ? spare.subarray(0, size) : new Uint8Array(size);
  if (spare !== null && buf.buffer === spare.buffer) spare = null; // taken: a nested stream gets its own
  try {
    while (position < stop) {
      const want = Math.min(buf.length, stop - position);
      const got = src.read(want === buf.length ? buf : buf.subarray(0, want), position);
      if (got !== want) throw new NumpyFormatError(where, "cannot read the zip archive (the file ended early)");
      position += got;
      const chunk = buf.subarray(0, got);
      if (inflater) {
        try {
          inflater.push(chunk, position === stop);
        } catch (e) {
          // Our own errors, and whatever the sink throws to stop early, pass through.
          if (!(e instanceof Error) || e instanceof NumpyFormatError) throw e;
          throw new NumpyFormatError(where, `cannot inflate the member (${(e as Error).message})`);
        }
      } else emit(chunk);
    }
  } finally {
    if (spare === null || buf.buffer.byteLength > spare.length) spare = new Uint8Array(buf.buffer);
  }
  if (inflater && member.compressedSize === 0) inflater.push(new Uint8Array(0), true);
  if (produced !== member.size) throw new NumpyFormatError(where, `the member holds ${produced} bytes, not the ${member.size} its header states`);
}

/** A member's bytes, whole (for small members: headers, string arrays, tables read at once). */
export function readMember(src: ByteSource, member: ZipMember, source: string): Uint8Array {
  const out = new Uint8Array(member.size);
  let at = 0;
  streamMember(src, member, source, (chunk) => {
    out.set(chunk, at);
    at += chunk.length;
  });
  return out;
}
