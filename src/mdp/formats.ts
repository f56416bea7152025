/**
 * Reading and writing MDP files: the formats' modules in one place (engine core: no `node:` import;
 * reading files and standard input is read-source.ts, Node-only).
 *
 * Two JSON formats, told apart by their content (never by the file name):
 *
 * - **Gymnasium P JSON**: `{"P": P, "initial": [...]}` where `P[s][a]` is a list of
 *   `[prob, next_state, reward, done]`, the layout of Gymnasium's toy_text `env.P`. `P` and `P[s]`
 *   may be lists or objects keyed "0".."k-1" (what Python's `json.dump(env.P)` writes); `done` may
 *   be true/false or 1/0; other top-level keys are ignored; without `initial`, p0 is uniform.
 * - **Native JSON** (`"format": "control-as-inference/mdp@1"`): the same `P` and `initial`, plus
 *   `stateNames`, `actionNames`, `meta` (free-form object), and `states` / `actions` (sizes, checked).
 */
export { parseJson, locateJsonError } from "./json.js";
export { NATIVE_FORMAT, parseMdp, mdpFromJson } from "./decode.js";
export { MDP_FORMATS, writeMdp, writeMdpChunks, type MdpFormat } from "./encode.js";
