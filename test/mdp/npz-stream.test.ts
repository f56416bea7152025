/**
 * The streaming `.npz` reader (src/mdp/zip.ts, npz.ts): arrays read in chunks, across every chunk
 * boundary, equal what the whole-array reader gives; a file is read at positions into the table's
 * own arrays, stored or deflated, and a cut or corrupt archive is a NumpyFormatError, never a crash.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { unzipSync, zipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { NumpyFormatError, encodeNpy, encodeNpz, mdpToNpz, parseNpz, randomMdp, readMdpFile, type NpyWriteType } from "../../src/index.js";
import { openNpz } from "../../src/mdp/npz.js";
import { bytesSource } from "../../src/mdp/zip.js";
import { fcParams } from "../support/arbitraries.js";

const dir = mkdtempSync(join(tmpdir(), "cai-npz-stream-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The same members, deflated (as numpy.savez_compressed writes them). */
function deflated(stored: Uint8Array): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 6 }]> = {};
  for (const [name, data] of Object.entries(unzipSync(stored))) files[name] = [data, { level: 6 }];
  return zipSync(files);
}

const arbArray = fc.constantFrom<NpyWriteType>("<f8", "<f4", "<i8", "<i4", "|u1", "|b1").chain((descr) => {
  const value =
    descr === "<f8"
      ? fc.double({ noNaN: true, noDefaultInfinity: true })
      : descr === "<f4"
        ? fc.float({ noNaN: true, noDefaultInfinity: true }).map(Math.fround)
        : descr === "<i8"
          ? fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 })
          : descr === "<i4"
            ? fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
            : descr === "|u1"
              ? fc.integer({ min: 0, max: 255 })
              : fc.integer({ min: 0, max: 1 });
  return fc.record({ descr: fc.constant(descr), values: fc.array(value, { maxLength: 200 }) });
});

describe("streaming .npz reader", () => {
  it("chunks of any size, stored or deflated, give the values the whole-array reader gives", () => {
    fc.assert(
      fc.property(
        fc.array(arbArray, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 97 }),
        fc.integer({ min: 1, max: 13 }),
        (arrays, deflate, chunkBytes, valuesPerChunk) => {
          const npys: Record<string, Uint8Array> = {};
          arrays.forEach((a, i) => (npys[`a${i}`] = encodeNpy(a.values, [a.values.length], a.descr)));
          const stored = encodeNpz(npys);
          const bytes = deflate ? deflated(stored) : stored;
          const whole = parseNpz(bytes, "t.npz");
          const archive = openNpz(bytesSource(bytes), "t.npz", { chunkBytes, valuesPerChunk });
          expect(archive.names).toEqual(Object.keys(npys));
          arrays.forEach((a, i) => {
            const got: number[] = [];
            const h = archive.forEachChunk(`a${i}`, (values, count, first) => {
              expect(first).toBe(got.length);
              expect(count).toBeGreaterThan(0);
              expect(count).toBeLessThanOrEqual(valuesPerChunk);
              for (let k = 0; k < count; k++) got.push(values[k]!);
            });
            expect(h.descr).toBe(a.descr);
            expect(h.shape).toEqual([a.values.length]);
            expect(got).toEqual(Array.from(whole.get(`a${i}`)!.data));
            expect(got).toEqual(a.values);
          });
        },
      ),
      fcParams(150),
    );
  });

  it("big-endian and Fortran-order members stream the same values as the whole-array reader", () => {
    const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/numpy/${name}`, import.meta.url)));
    const bytes = encodeNpz({ be: fixture("i16_be.npy"), fortran: fixture("q_fortran.npy"), big: fixture("q_big_endian.npy") });
    const whole = parseNpz(bytes, "t.npz");
    for (const chunkBytes of [1, 3, 64, 1 << 20]) {
      const archive = openNpz(bytesSource(bytes), "t.npz", { chunkBytes, valuesPerChunk: 2 });
      for (const name of ["be", "fortran", "big"]) {
        const got: number[] = [];
        archive.forEachChunk(name, (values, count) => got.push(...values.subarray(0, count)));
        expect(got).toEqual(Array.from(whole.get(name)!.data));
      }
    }
  });

  it("readMdpFile reads a CSR .npz file, stored or deflated, into the same table, entry for entry", () => {
    const mdp = randomMdp({ states: 57, actions: 3, successors: 4, seed: 11, terminalProbability: 0.1 });
    const stored = mdpToNpz(mdp);
    for (const [name, bytes] of [["stored.npz", stored], ["deflated.npz", deflated(stored)]] as const) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const back = readMdpFile(path);
      expect(back.nStates).toBe(mdp.nStates);
      expect(back.nActions).toBe(mdp.nActions);
      expect(Array.from(back.rowStart)).toEqual(Array.from(mdp.rowStart));
      expect(Array.from(back.next)).toEqual(Array.from(mdp.next));
      expect(Array.from(back.prob)).toEqual(Array.from(mdp.prob));
      expect(Array.from(back.reward)).toEqual(Array.from(mdp.reward));
      expect(Array.from(back.done)).toEqual(Array.from(mdp.done));
      expect(Array.from(back.initial)).toEqual(Array.from(mdp.initial));
    }
  });

  it("a cut or corrupt archive is a NumpyFormatError that says what is wrong", () => {
    const mdp = randomMdp({ states: 20, actions: 2, successors: 3, seed: 3 });
    const stored = mdpToNpz(mdp);
    const cases: [string, Uint8Array, RegExp][] = [
      ["cut.npz", stored.subarray(0, Math.floor(stored.length / 2)), /end of central directory|truncated/],
      ["deflated-cut.npz", deflated(stored).subarray(0, 200), /end of central directory|truncated/],
      ["not-npy.npz", encodeNpz({ row_start: new TextEncoder().encode("hello, not a numpy array") }), /not a \.npy file/],
      ["short.npz", encodeNpz({ x: encodeNpy([1, 2, 3], [3]).subarray(0, encodeNpy([1, 2, 3], [3]).length - 8) }), /the \.npy data is 16 bytes but shape \(3\) of <f8 needs 24/],
    ];
    for (const [name, bytes, message] of cases) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      let error: unknown;
      try {
        if (name === "short.npz") openNpz(bytesSource(bytes), name).forEachChunk("x", () => undefined);
        else readMdpFile(path);
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(NumpyFormatError);
      expect((error as Error).message, name).toMatch(message);
    }
  });
});
