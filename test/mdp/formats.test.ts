import { describe, expect, it } from "vitest";
import { MdpValidationError, JsonSyntaxError, UnknownFormatError, parseMdp, writeMdp, NATIVE_FORMAT } from "../../src/index.js";

const tiny = {
  P: {
    "0": { "0": [[1.0, 1, 0.5, false]], "1": [[0.5, 0, 0, 0], [0.5, 1, 1, 1]] },
    "1": { "0": [[1.0, 1, 0, true]], "1": [[1.0, 1, 0, true]] },
  },
};

describe("Gymnasium P JSON", () => {
  it("reads P keyed by strings, done as 0/1 or booleans, initial uniform when absent", () => {
    const mdp = parseMdp(JSON.stringify(tiny));
    expect(mdp.nStates).toBe(2);
    expect(mdp.nActions).toBe(2);
    expect(Array.from(mdp.rowStart)).toEqual([0, 1, 3, 4, 5]);
    expect(Array.from(mdp.next)).toEqual([1, 0, 1, 1, 1]);
    expect(Array.from(mdp.done)).toEqual([0, 0, 1, 1, 1]);
    expect(Array.from(mdp.initial)).toEqual([0.5, 0.5]);
  });

  it("round-trips through writeMdp exactly", () => {
    const mdp = parseMdp(JSON.stringify({ ...tiny, initial: [1, 0] }));
    const again = parseMdp(writeMdp(mdp));
    expect(Array.from(again.prob)).toEqual(Array.from(mdp.prob));
    expect(Array.from(again.reward)).toEqual(Array.from(mdp.reward));
    expect(Array.from(again.initial)).toEqual([1, 0]);
    const native = parseMdp(writeMdp(mdp, "native"));
    expect(Array.from(native.next)).toEqual(Array.from(mdp.next));
    expect(writeMdp(mdp, "native")).toContain(NATIVE_FORMAT);
  });

  it("rejects a row whose probabilities do not sum to 1, naming state and action", () => {
    const bad = { P: [[[[0.97, 0, 0, false]]]] };
    expect(() => parseMdp(JSON.stringify(bad))).toThrow(MdpValidationError);
    expect(() => parseMdp(JSON.stringify(bad))).toThrow("state 0, action 0: the probabilities sum to 0.97");
  });

  it("reports malformed JSON with its line and column", () => {
    try {
      parseMdp('{"P": [\n [1, 2,, 3]]}', "f.json");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JsonSyntaxError);
      expect((e as JsonSyntaxError).line).toBe(2);
    }
  });

  it("rejects a document in no known format", () => {
    expect(() => parseMdp('{"states": 3}')).toThrow(UnknownFormatError);
    expect(() => parseMdp("a,b,c\n1,2,3")).toThrow(UnknownFormatError);
  });
});
