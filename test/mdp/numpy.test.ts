/**
 * The numpy formats: `.npy` and `.npz` read back what numpy 2.4 wrote (the committed fixtures of
 * test/fixtures/numpy/, made by its make_fixtures.py), MDPs in the three layouts, and what the
 * writers write reads back the same.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MdpValidationError,
  NumpyFormatError,
  UnknownFormatError,
  encodeNpy,
  encodeNpyStrings,
  encodeNpz,
  frozenLake,
  mdpFromNpz,
  mdpToNpz,
  numpyTable,
  parseNpy,
  parseNpz,
  readMdpFile,
  recordToNpz,
  solve,
  type NpyWriteType,
} from "../../src/index.js";

const fixture = (name: string) => new URL(`../fixtures/numpy/${name}`, import.meta.url);
const bytes = (name: string) => new Uint8Array(readFileSync(fixture(name)));
const Q = [0.5, -1.25, 2.0, 1e-3, -7.0, 3.5];

describe(".npy as numpy writes it", () => {
  it("reads float64 in C order, Fortran order and big endian as the same table", () => {
    for (const name of ["q.npy", "q_fortran.npy", "q_big_endian.npy"]) {
      const a = parseNpy(bytes(name), name);
      expect(a.shape).toEqual([3, 2]);
      expect(Array.from(a.data)).toEqual(Q);
    }
  });

  it("reads from a Node Buffer that is a view into a larger, unaligned pool", () => {
    const file = readFileSync(fixture("q.npy"));
    const pool = Buffer.alloc(file.length + 3 + 64);
    file.copy(pool, 3);
    expect(Array.from(parseNpy(pool.subarray(3, 3 + file.length), "view.npy").data)).toEqual(Q);
  });

  it("reads float32 as the exact doubles of the stored float32 values", () => {
    const a = parseNpy(bytes("q_f32.npy"), "q_f32.npy");
    expect(a.descr).toBe("<f4");
    expect(Array.from(a.data)).toEqual(Q.map(Math.fround));
  });

  it("reads int64, uint8, big-endian int16 and bool", () => {
    expect(Array.from(parseNpy(bytes("counts.npy"), "c").data)).toEqual([3, 1, 0, 0, 2, 2]);
    expect(Array.from(parseNpy(bytes("u8.npy"), "u").data)).toEqual([1, 255]);
    expect(Array.from(parseNpy(bytes("i16_be.npy"), "i").data)).toEqual([-2, 300]);
    const b = parseNpy(bytes("bool.npy"), "b");
    expect([b.kind, Array.from(b.data)]).toEqual(["b", [1, 0, 1]]);
  });

  it("refuses what is not a numeric table, saying why", () => {
    const header = (descr: string) => {
      const h = `{'descr': ${descr}, 'fortran_order': False, 'shape': (2,), }`.padEnd(117, " ") + "\n";
      return new Uint8Array([0x93, ...Buffer.from("NUMPY"), 1, 0, h.length, 0, ...Buffer.from(h, "latin1")]);
    };
    expect(() => parseNpy(header("'|O'"), "o.npy")).toThrow(/o\.npy: dtype "\|O": object arrays/);
    expect(() => parseNpy(header("'<f2'"), "h.npy")).toThrow(/float16/);
    expect(() => parseNpy(header("'<c16'"), "c.npy")).toThrow(/complex/);
    expect(() => parseNpy(header("[('a', '<f8')]"), "r.npy")).toThrow(/structured arrays/);
    expect(() => parseNpy(header("'<f8'"), "short.npy")).toThrow(/short\.npy: the \.npy data is 0 bytes but shape \(2\) of <f8 needs 16/);
    expect(() => parseNpy(new Uint8Array([1, 2, 3]), "x")).toThrow(NumpyFormatError);
  });

  it("int64 beyond 2^53 is an error, not a rounded index", () => {
    const npy = encodeNpy([0], [1], "<i8");
    new DataView(npy.buffer).setBigInt64(npy.length - 8, 2n ** 60n, true);
    expect(() => parseNpy(npy, "big.npy")).toThrow(/element 0 is 1152921504606846976, beyond/);
  });

  it("what encodeNpy writes parses back to the same values and shape (every dtype)", () => {
    const types: NpyWriteType[] = ["<f8", "<f4", "<i8", "<i4", "|u1", "|b1"];
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), fc.integer(), (descr, shape, seed) => {
        const count = shape.reduce((a, b) => a * b, 1);
        const values = Array.from({ length: count }, (_, i) => {
          const x = Math.sin(seed + i) * 1000;
          return descr === "<f8" ? x : descr === "<f4" ? Math.fround(x) : descr === "|b1" ? (i + seed) & 1 : descr === "|u1" ? Math.abs(Math.round(x)) % 256 : Math.round(x);
        });
        const a = parseNpy(encodeNpy(values, shape, descr), "rt.npy");
        expect(a.shape).toEqual(shape);
        expect(Array.from(a.data)).toEqual(values);
      }),
    );
  });

  it("unicode arrays round-trip (the layout hint and the result's strings)", () => {
    const a = parseNpy(encodeNpyStrings(["sas", "mdptoolbox", "é→"]), "s.npy");
    expect(a.strings).toEqual(["sas", "mdptoolbox", "é→"]);
    expect(parseNpy(encodeNpyStrings(["exact"], []), "s.npy").shape).toEqual([]);
  });
});

describe(".npz as numpy.savez and savez_compressed write it", () => {
  it("reads every array by name, stored or deflated", () => {
    const z = parseNpz(bytes("q.npz"), "q.npz");
    expect([...z.keys()]).toEqual(["Q", "V"]);
    expect(Array.from(z.get("Q")!.data)).toEqual(Q);
    expect(Array.from(z.get("V")!.data)).toEqual([0.5, 2, 3.5]);
    const f = parseNpz(bytes("forest.npz"), "forest.npz");
    expect(f.get("P")!.shape).toEqual([2, 3, 3]);
  });

  it("encodeNpz and recordToNpz read back: nested lists become shaped arrays, null keys are left out", () => {
    const { bytes: npz, omitted } = recordToNpz({ Q: [[1, 2], [3, 4]], V: [5, 6], logZ: null, converged: true, stop_reason: "tolerance", iterations: 7, Q_t: [[[1], [2]], [[3], [4]]], warnings: [], restricted: [{ state: 1 }] }, ["iterations"]);
    expect(omitted).toEqual(["logZ", "restricted"]);
    const z = parseNpz(npz, "r.npz");
    expect([...z.keys()]).toEqual(["Q", "V", "converged", "stop_reason", "iterations", "Q_t", "warnings"]);
    expect(z.get("Q")!.shape).toEqual([2, 2]);
    expect(z.get("Q_t")!.shape).toEqual([2, 2, 1]);
    expect(z.get("iterations")!.descr).toBe("<i8");
    expect(z.get("converged")!.descr).toBe("|b1");
    expect(z.get("stop_reason")!.strings).toEqual(["tolerance"]);
    expect(z.get("warnings")!.shape).toEqual([0]);
    expect(() => parseNpz(encodeNpy([1], [1]), "x.npz")).toThrow(/not an \.npz file/);
    expect(() => parseNpz(encodeNpz({}), "e.npz")).toThrow(/holds no arrays/);
  });
});

/** pymdptoolbox's example.forest(S=3, r1=4, r2=2, p=0.1) as Gymnasium-style entries. */
function forestEntries(): Array<Array<Array<[number, number, number]>>> {
  // [s][a] -> [prob, next, reward], next states in increasing order (as the dense reader lists them)
  return [
    [[[0.1, 0, 0], [0.9, 1, 0]], [[1, 0, 0]]],
    [[[0.1, 0, 0], [0.9, 2, 0]], [[1, 0, 1]]],
    [[[0.1, 0, 4], [0.9, 2, 4]], [[1, 0, 2]]],
  ];
}

describe("MDPs from .npz", () => {
  it("pymdptoolbox's P (A, S, S) with R (S, A), R (A, S, S), and the dense (S, A, S) layout give the same table", () => {
    const want = forestEntries();
    for (const [name, layout] of [["forest.npz", "mdptoolbox"], ["forest_r3.npz", "mdptoolbox"], ["forest_sas.npz", "sas"]] as const) {
      const read = mdpFromNpz(bytes(name), name);
      expect(read.layout).toBe(name === "forest_sas.npz" ? "sas" : layout);
      expect(read.warnings).toEqual([]);
      const mdp = read.value;
      expect([mdp.nStates, mdp.nActions]).toEqual([3, 2]);
      for (let s = 0; s < 3; s++) for (let a = 0; a < 2; a++) expect(mdp.entries(s, a).map((e) => [e.prob, e.next, e.reward])).toEqual(want[s]![a]);
      expect(Array.from(mdp.done)).toEqual(new Array(mdp.nnz).fill(0));
      expect(Array.from(mdp.initial)).toEqual(name === "forest_sas.npz" ? [1, 0, 0] : [1 / 3, 1 / 3, 1 / 3]);
    }
  });

  it("the hard backup on forest reproduces pymdptoolbox's FiniteHorizon(P, R, 0.9, 3) documented V", () => {
    const mdp = mdpFromNpz(bytes("forest.npz"), "forest.npz").value;
    const res = solve(mdp, { backup: "hard", gamma: 0.9, horizon: 3 });
    // fh.V in pymdptoolbox's docstring: columns t = 0, 1, 2 (and V_3 = 0).
    const documented = [[2.6973, 5.9373, 9.9373], [0.81, 3.24, 7.24], [0, 1, 4]];
    documented.forEach((V, t) => Array.from(res.steps!.V[t]!).forEach((v, s) => expect(Math.abs(v - V[s]!), `t ${t}, state ${s}`).toBeLessThan(1e-12)));
  });

  it("S = A: the shape cannot tell (A, S, S) from (S, A, S), and layout says which", () => {
    expect(() => mdpFromNpz(bytes("square.npz"), "square.npz")).toThrow(/square\.npz: P has shape \(2, 2, 2\).*layout="mdptoolbox" or layout="sas"/);
    const mdp = mdpFromNpz(bytes("square_sas.npz"), "square_sas.npz").value;
    // P2[s, a, s'] read as (S, A, S): state 0, action 1 is [0, 1].
    expect(mdp.entries(0, 1)).toEqual([{ prob: 1, next: 1, reward: 2, done: false }]);
    expect(mdp.entries(1, 1)).toEqual([{ prob: 0.25, next: 0, reward: 4, done: false }, { prob: 0.75, next: 1, reward: 4, done: false }]);
  });

  it("the CSR arrays are the MDP's own, done flags included", () => {
    const mdp = mdpFromNpz(bytes("chain_csr.npz"), "chain_csr.npz").value;
    expect(Array.from(mdp.rowStart)).toEqual([0, 1, 3, 4, 5, 6, 7]);
    expect(Array.from(mdp.next)).toEqual([1, 2, 0, 0, 2, 2, 0]);
    expect(Array.from(mdp.prob)).toEqual([1, 0.75, 0.25, 1, 1, 1, 1]);
    expect(Array.from(mdp.reward)).toEqual([0, 1, -1, 0.5, 2, 0, -3]);
    expect(Array.from(mdp.done)).toEqual([0, 0, 0, 0, 1, 0, 1]);
    expect(Array.from(mdp.initial)).toEqual([1, 0, 0]);
  });

  it("mdpToNpz writes the CSR layout that reads back entry for entry, names included", () => {
    const lake = frozenLake({ map: "4x4" });
    const back = mdpFromNpz(mdpToNpz(lake), "lake.npz").value;
    for (const key of ["rowStart", "next", "prob", "reward", "done", "initial"] as const) expect(Array.from(back[key])).toEqual(Array.from(lake[key]));
    const z = parseNpz(mdpToNpz(lake), "lake.npz");
    expect(z.get("action_names")!.strings).toEqual(lake.actionNames);
  });

  it("float32 probabilities are accepted within float32 rounding with a warning, and used as stored", () => {
    const read = mdpFromNpz(bytes("thirds_f32.npz"), "thirds_f32.npz");
    expect(read.warnings).toHaveLength(1);
    expect(read.warnings[0]).toMatch(/^thirds_f32\.npz: P is float32: accepted because every row sums to 1 within float32 rounding \(largest \|sum - 1\| = 3\.0e-8, tolerance .*\); used as stored, not renormalised$/);
    expect(read.value.prob[0]).toBe(Math.fround(1 / 3));
    const e = (() => {
      try {
        mdpFromNpz(bytes("thirds_f32_bad.npz"), "bad.npz");
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(MdpValidationError);
    expect((e as MdpValidationError).problems.map((p) => p.message)).toEqual(["state 2, action 1: the probabilities sum to 1.16667 (expected 1 within 3.6e-7)"]);
  });

  it("bad entries name the numpy index, the state, the action and the next state", () => {
    const P = [0, 1, 1, 0, /* a = 1 */ -0.5, 1.5, 1, 0];
    const npz = encodeNpz({ P: encodeNpy(P, [2, 2, 2]), R: encodeNpy([0, NaN, 0, 0], [2, 2]), layout: encodeNpyStrings(["mdptoolbox"], []) });
    expect(() => mdpFromNpz(npz, "m.npz")).toThrow(MdpValidationError);
    try {
      mdpFromNpz(npz, "m.npz");
    } catch (e) {
      expect((e as MdpValidationError).problems.map((p) => p.message)).toEqual([
        "m.npz: P[1, 0, 0] (state 0, action 1, next state 0) is -0.5, not a probability",
        "m.npz: R[0, 1] (state 0, action 1, next state 0) is NaN, not a finite reward",
        "m.npz: R[0, 1] (state 0, action 1, next state 1) is NaN, not a finite reward",
      ]);
    }
    const csr = encodeNpz({
      row_start: encodeNpy([0, 1, 2], [3], "<i8"),
      next: encodeNpy([0, 5], [2], "<i8"),
      prob: encodeNpy([1, 1], [2]),
      reward: encodeNpy([0, 0], [2]),
      initial: encodeNpy([1], [1]),
    });
    expect(() => mdpFromNpz(csr, "c.npz")).toThrow(/state 0, action 1, entry 0: next state 5 is out of range \(states are 0\.\.0\)/);
    expect(() => mdpFromNpz(encodeNpz({ X: encodeNpy([1], [1]) }), "x.npz")).toThrow(/no MDP arrays: expected "P" and "R"/);
    expect(() => mdpFromNpz(encodeNpz({ P: encodeNpy([1, 1], [2, 1, 1]), R: encodeNpy([1, 1, 1], [3]) }), "r.npz")).toThrow(/R has shape \(3,\); with P \(A, S, S\)/);
  });

  it("readMdpFile tells .npz from JSON by content, and refuses a lone .npy", () => {
    const warnings: string[] = [];
    const mdp = readMdpFile(fixture("thirds_f32.npz").pathname, { onWarning: (w) => warnings.push(w) });
    expect(mdp.nStates).toBe(3);
    expect(warnings).toHaveLength(1);
    expect(() => readMdpFile(fixture("q.npy").pathname)).toThrow(UnknownFormatError);
  });
});

describe("numeric tables from numpy", () => {
  it("a table by name from an .npz, or a .npy's only array; shapes checked", () => {
    expect(Array.from(numpyTable(bytes("q.npz"), "q.npz", ["Q"], [[3, 2]], "Q-table").values)).toEqual(Q);
    expect(numpyTable(bytes("q.npy"), "q.npy", ["Q"], [[3, 2], [6]], "Q-table").float32).toBe(false);
    expect(numpyTable(bytes("q_f32.npy"), "q_f32.npy", ["Q"], [[3, 2]], "Q-table").float32).toBe(true);
    expect(() => numpyTable(bytes("q.npy"), "q.npy", ["Q"], [[2, 3]], "Q-table")).toThrow("q.npy: the Q-table has shape (3, 2), expected (2, 3)");
    expect(() => numpyTable(bytes("q.npz"), "q.npz", ["prior"], [[3, 2]], "prior")).toThrow('q.npz: no array "prior" for the prior (found "Q", "V")');
    expect(() => numpyTable(encodeNpy([1, NaN], [2]), "n.npy", ["h"], [[2]], "terminal values")).toThrow("n.npy[1]: NaN is not a finite number");
  });
});
