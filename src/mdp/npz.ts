/**
 * numpy's `.npz` format: a zip archive of `.npy` files, one per array name (`numpy.savez` stores
 * them, `numpy.savez_compressed` deflates them). Bytes in, arrays out; the zip work is fflate's.
 */
import { unzipSync, zipSync } from "fflate";
import { NumpyFormatError, parseNpy, type NpyArray } from "./npy.js";

/** True when the bytes start like a zip archive (an `.npz` file). */
export function isZip(bytes: Uint8Array): boolean {
  // A local file header, or (an archive with no files) the end of the central directory.
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 0x03 && bytes[3] === 0x04) || (bytes[2] === 0x05 && bytes[3] === 0x06));
}

/**
 * The arrays of an `.npz` file by name (the member name without ".npy"), in archive order.
 * @throws {@link NumpyFormatError} for a file that is not a zip archive, a member that is not a
 *   `.npy` file, or a compression method other than stored and deflate.
 */
export function parseNpz(bytes: Uint8Array, source: string): Map<string, NpyArray> {
  if (!isZip(bytes)) throw new NumpyFormatError(source, "not an .npz file (it is not a zip archive)");
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new NumpyFormatError(source, `cannot read the zip archive (${(e as Error).message})`);
  }
  const out = new Map<string, NpyArray>();
  for (const [member, data] of Object.entries(files)) {
    if (member.endsWith("/")) continue;
    const name = member.endsWith(".npy") ? member.slice(0, -4) : member;
    out.set(name, parseNpy(data, `${source}: ${member}`));
  }
  if (out.size === 0) throw new NumpyFormatError(source, "the .npz archive holds no arrays");
  return out;
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
