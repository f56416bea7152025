/**
 * The byte-level fast path for Gymnasium P JSON (gymnasium-bytes.ts) against the general path
 * (JSON.parse and decode.ts): the same arrays bit for bit on every environment and on random
 * documents, every number decoded as JSON.parse decodes it, and every document outside the common
 * shape handed back (undefined) so that the general path reports it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { cliffWalking, frozenLake, frozenLakeOpen, parseMdp, randomMdp, taxi, type MdpArrays } from "../../src/index.js";
import { writeMdp } from "../../src/mdp/encode.js";
import { gymnasiumFromBytes, gymnasiumFromReader } from "../../src/mdp/gymnasium-bytes.js";
import { readMdpFile } from "../../src/mdp/read-source.js";
import { fcParams } from "../support/arbitraries.js";

const bytesOf = (text: string) => new TextEncoder().encode(text);

function sameArrays(a: MdpArrays, b: MdpArrays): void {
  expect(a.nStates).toBe(b.nStates);
  expect(a.nActions).toBe(b.nActions);
  for (const key of ["rowStart", "next", "prob", "reward", "done", "initial"] as const) {
    const x = a[key];
    const y = b[key];
    expect(x.length, key).toBe(y.length);
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) expect(`${key}[${i}] = ${x[i]}`).toBe(`${key}[${i}] = ${y[i]}`);
  }
}

/** The first number of the single entry [[[[x, 0, 0, false]]]] as the fast path reads it. */
function fastNumber(text: string): number | undefined {
  return gymnasiumFromBytes(bytesOf(`{"P":[[[[${text},0,0,false]]]]}`))?.prob[0];
}

/** The fast path through a window of `bytes` refilled `margin` before its end, reading `text` in pieces of at most `piece` bytes. */
function windowed(text: string, bytes: number, margin: number, piece = bytes): MdpArrays | undefined {
  const all = bytesOf(text);
  let at = 0;
  return gymnasiumFromReader(
    all.length,
    (into, to, length) => {
      const n = Math.min(length, piece, all.length - at);
      into.set(all.subarray(at, at + n), to);
      at += n;
      return n;
    },
    { bytes, margin },
  );
}

const dir = mkdtempSync(join(tmpdir(), "cai-gym-bytes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Gymnasium P JSON from bytes", () => {
  it("gives the general path's arrays bit for bit on every environment (lists and json.dump's objects keyed 0..k-1)", () => {
    const mdps = [frozenLake(), frozenLake({ map: "8x8" }), frozenLakeOpen(9), frozenLakeOpen(5, { isSlippery: false }), cliffWalking(), taxi(), randomMdp({ states: 30, actions: 3, successors: 4, seed: 2, terminalProbability: 0.3 })];
    for (const mdp of mdps) {
      const text = writeMdp(mdp, "gymnasium");
      const fast = gymnasiumFromBytes(bytesOf(text));
      expect(fast).toBeDefined();
      sameArrays(fast!, parseMdp(text));
      // Python's json.dump(env.P): objects keyed "0".."k-1", spaces after separators, initial absent.
      const doc = JSON.parse(text) as { P: unknown[][] };
      const keyed = JSON.stringify({ P: Object.fromEntries(doc.P.map((acts, s) => [String(s), Object.fromEntries(acts.map((l, a) => [String(a), l]))])) }, null, 1).replace(/\n/g, "\r\n");
      const fastKeyed = gymnasiumFromBytes(bytesOf(keyed));
      expect(fastKeyed).toBeDefined();
      sameArrays(fastKeyed!, parseMdp(keyed));
    }
  });

  it("decodes every number as JSON.parse does (shortest round trip, exponents, many digits, -0)", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 20 }), (x, fixed, prec) => {
        const forms = [JSON.stringify(x), x.toExponential(Math.min(prec, 20)).replace("e+", "e"), x.toExponential(Math.min(prec, 20)).toUpperCase(), Math.abs(x) < 1e21 ? x.toFixed(fixed) : JSON.stringify(x), x.toPrecision(prec)];
        for (const f of forms) {
          if (!/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(f)) continue;
          expect(Object.is(fastNumber(f), JSON.parse(f)), f).toBe(true);
        }
      }),
      fcParams(2000),
    );
    for (const f of ["0", "-0", "-0.0", "0e5", "1E+2", "1e-400", "1e400", "123456789012345678901234567890", "0.30000000000000004", "9007199254740993", "9007199254740992.5", "0.000000000000000000000000001", "4.9406564584124654e-324", "2.2250738585072014e-308", "1.7976931348623157e308", "00.5"]) {
      if (f === "00.5") expect(fastNumber(f)).toBeUndefined(); // not JSON: the general path reports it
      else expect(Object.is(fastNumber(f), JSON.parse(f)), f).toBe(true);
    }
  });

  it("hands back (undefined) every document outside the common shape, and reading such a file gives the general path's answer or error", () => {
    const good = '{"P": [[[[1, 0, 0, false]], [[1, 1, 1, true]]], [[[1, 1, 0, 0]], [[1, 0, 0, 1]]]], "initial": [1, 0]}';
    expect(gymnasiumFromBytes(bytesOf(good))).toBeDefined();
    const others = [
      '{"P": {"1": [[[1, 0, 0, false]]], "0": [[[1, 0, 0, false]]]}}', // keys out of order
      '{"P": {"0": [[[1, 0, 0, false]]], "0": [[[1, 0, 0, false]]]}}', // a repeated key
      '{"P": [[[[1, 0, 0, false]]]], "P": [[[[1, 0, 0, false]]]]}',
      '{"P": [[[[1, 0, 0, false]]]], "initial": [1], "initial": [1]}',
      '{"format": "control-as-inference/mdp@1", "P": [[[[1, 0, 0, false]]]]}',
      '{"P": [[[[1, 0, 0, false]]]], "meta": {}}',
      '{"P": [[[[1, 0, 0, false]]], [[[1, 0, 0, false]], [[1, 0, 0, false]]]]}', // ragged actions
      '{"P": [[[[1, 1, 0, false]]]]}', // next state out of range
      '{"P": [[[[1, 0.5, 0, false]]]]}',
      '{"P": [[[[1, 0, 0, "no"]]]]}',
      '{"P": [[[[1, 0, 0, 2]]]]}',
      '{"P": [[[[1, 0, 0]]]]}',
      '{"P": [[[[1, 0, 0, false, 5]]]]}',
      '{"P": [[[["1", 0, 0, false]]]]}',
      '{"P": [[[[1, 0, 0, false]]]], "initial": [1, 0]}',
      '{"P": [[[[1, 0, 0, false]]]], "initial": "uniform"}',
      '{"P": [[[[1, 0, 0, false]]]]} x',
      '{"P": [[[[1, 0, 0, false]]]],}',
      '{"\\u0050": [[[[1, 0, 0, false]]]]}',
      '{"P": []}',
      '{"P": [[]]}',
      "[]",
      "",
      '{"P": [[[[1, 0, 0, false]]]]',
    ];
    for (const [i, text] of others.entries()) {
      expect(gymnasiumFromBytes(bytesOf(text)), text).toBeUndefined();
      const file = join(dir, `other-${i}.json`);
      writeFileSync(file, text);
      let general: unknown;
      let generalError: unknown;
      try {
        general = parseMdp(text, file);
      } catch (e) {
        generalError = e;
      }
      let read: unknown;
      let readError: unknown;
      try {
        read = readMdpFile(file);
      } catch (e) {
        readError = e;
      }
      if (generalError) {
        expect(readError, text).toBeInstanceOf((generalError as Error).constructor);
        expect((readError as Error).message).toBe((generalError as Error).message);
      } else sameArrays(read as MdpArrays, general as MdpArrays);
    }
  });

  it("tables packed tighter than the first guess of their size (grown arrays) read the same", () => {
    // 2000 states, each one row of 50 entries written as [0.02,t,0,0]: about 12 bytes an entry.
    const rows = Array.from({ length: 2000 }, (_, s) => `[[${Array.from({ length: 50 }, (_, e) => `[0.02,${(s + e) % 2000},${e % 3},0]`).join(",")}]]`);
    const text = `{"P":[${rows.join(",")}]}`;
    const fast = gymnasiumFromBytes(bytesOf(text));
    expect(fast).toBeDefined();
    expect(fast!.prob.length).toBe(100000);
    sameArrays(fast!, parseMdp(text));
  });

  it("a file read through the fast path equals parseMdp of its text, byte-order mark included", () => {
    const mdp = frozenLakeOpen(6);
    const text = writeMdp(mdp, "gymnasium");
    const file = join(dir, "bom.json");
    writeFileSync(file, "\ufeff" + text);
    sameArrays(readMdpFile(file), parseMdp(text));
  });

  it("through a small window refilled at any margin, in pieces of any size, reads what it reads from the whole bytes", () => {
    const texts = [
      writeMdp(frozenLakeOpen(5), "gymnasium"),
      writeMdp(taxi(), "gymnasium").slice(0, 3000) + "]]]}", // not a document: undefined both ways
      JSON.stringify({ P: JSON.parse(writeMdp(randomMdp({ states: 12, actions: 2, successors: 3, seed: 5, terminalProbability: 0.2 }), "gymnasium")).P, initial: Array(12).fill(1 / 12) }, null, 3),
      '{"P": {"0": {"0": [[1, 0, 0.5, true]], "1": []}}}',
      '{"P": [[[[1, 0, 0, false]]]]} x',
      '{"P": [[[[1, 0, 0, false]]]]}' + " ".repeat(100),
    ];
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.integer({ min: 2, max: 600 }), fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 700 }), (text, bytes, marginPart, piece) => {
        const margin = Math.max(1, Math.min(bytes - 1, marginPart));
        const whole = gymnasiumFromBytes(bytesOf(text));
        const got = windowed(text, bytes, margin, piece);
        // A small margin may cut an item at the window's end: then undefined (the general path reads
        // the file); whatever the window gives is the whole bytes' reading. A margin longer than
        // every item (and space) of these documents never cuts one.
        if (got !== undefined) sameArrays(got, whole!);
        if (margin >= 400) expect(got === undefined).toBe(whole === undefined);
      }),
      fcParams(300),
    );
  });

  it("a file of several default windows (4 MB) reads as parseMdp of its text; an item longer than the margin reads the same", () => {
    const text = writeMdp(frozenLakeOpen(100), "gymnasium");
    expect(text.length).toBeGreaterThan(3 << 20);
    const file = join(dir, "four-windows.json");
    writeFileSync(file, text);
    sameArrays(readMdpFile(file), parseMdp(text));
    // A probability of 70 000 digits (the same double, zeros after its digits) past the first
    // window: longer than the margin, it may meet the window's end, and the general path then reads
    // the file; either way readMdpFile's result is parseMdp's.
    const cut = text.indexOf("[0.3333333333333333,", text.length >> 1);
    const later = text.slice(0, cut) + `[0.3333333333333333${"0".repeat(70000)},` + text.slice(cut + 20);
    // Through a window of 4096 bytes such a number cannot fit: the windowed reader gives up.
    expect(windowed(later, 4096, 1024)).toBeUndefined();
    expect(gymnasiumFromBytes(bytesOf(later))).toBeDefined();
    const file2 = join(dir, "long-number.json");
    writeFileSync(file2, later);
    sameArrays(readMdpFile(file2), parseMdp(later));
  });

  it("a NUL byte past the first window is refused as binary data, as in a small file", () => {
    const text = writeMdp(frozenLakeOpen(60), "gymnasium");
    expect(text.length).toBeGreaterThan(1 << 20);
    const at = text.length - 1000;
    const file = join(dir, "nul.json");
    writeFileSync(file, text.slice(0, at) + "\u0000" + text.slice(at + 1));
    expect(() => readMdpFile(file)).toThrow(/a NUL byte at offset \d+: binary data/);
  });

  it("refuses a window whose margin is not below its size", () => {
    expect(() => gymnasiumFromReader(10, () => 0, { bytes: 8, margin: 8 })).toThrow(RangeError);
  });
});
