/**
 * Hand-rolled SVG: escaping, element strings, number formatting and the colour map. Every picture
 * of src/render is built from these, so that a picture is one self-contained string with no
 * network reference, no external font and no script.
 */

/** The SVG namespace: the one URI a standalone .svg file must carry (it is a name, never fetched). */
export const SVG_NAMESPACE = "http://www.w3.org/2000/svg";

/** Generic font families only: the picture never asks for a font it would have to fetch. */
export const FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif";

/** Characters {@link escapeXml} changes (surrogates included: the slow path keeps valid pairs). */
const NEEDS_ESCAPE = /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/;

/**
 * Escape text for XML character data and attribute values: & < > " ' become entities, and
 * characters XML 1.0 forbids (C0 controls other than tab, newline and return; lone surrogates;
 * U+FFFE, U+FFFF) become U+FFFD, so that any label yields a well-formed document.
 */
export function escapeXml(text: string): string {
  // Fast path: nothing to escape or replace (most labels and numbers).
  if (!NEEDS_ESCAPE.test(text)) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    switch (c) {
      case 38:
        out += "&amp;";
        continue;
      case 60:
        out += "&lt;";
        continue;
      case 62:
        out += "&gt;";
        continue;
      case 34:
        out += "&quot;";
        continue;
      case 39:
        out += "&#39;";
        continue;
    }
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffe || c === 0xffff) {
      out += "\ufffd";
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += text[i]! + text[i + 1]!;
        i++;
      } else out += "\ufffd";
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      out += "\ufffd";
    } else out += text[i]!;
  }
  return out;
}

/** A coordinate or length, rounded to 0.01 (enough for a picture, short in the file). */
export function px(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`non-finite coordinate ${x}`);
  const r = Math.round(x * 100) / 100;
  return Object.is(r, -0) ? "0" : String(r);
}

/** Attribute values: strings are escaped, numbers go through {@link px}; undefined and false are left out. */
export type Attrs = Readonly<Record<string, string | number | boolean | undefined>>;

function attrString(attrs: Attrs): string {
  let out = "";
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    out += ` ${k}="${v === true ? k : typeof v === "number" ? px(v) : escapeXml(v)}"`;
  }
  return out;
}

/** An element; `children` is markup already built (use {@link text} for plain text). */
export function el(name: string, attrs: Attrs = {}, children?: string | readonly string[]): string {
  const inner = children === undefined ? undefined : typeof children === "string" ? children : children.join("");
  return inner === undefined || inner === "" ? `<${name}${attrString(attrs)}/>` : `<${name}${attrString(attrs)}>${inner}</${name}>`;
}

/** A text element holding escaped plain text. */
export function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return `<text${attrString({ x, y, ...attrs })}>${escapeXml(content)}</text>`;
}

/**
 * A label with a subscript written as `base_sub` (e.g. "s_0", "O_12"): the part after the first
 * underscore is drawn as a lowered, smaller tspan. Escaped.
 */
export function subscripted(x: number, y: number, label: string, size: number, attrs: Attrs = {}): string {
  const i = label.indexOf("_");
  if (i < 0) return text(x, y, label, { "font-size": size, ...attrs });
  const base = escapeXml(label.slice(0, i));
  const sub = escapeXml(label.slice(i + 1));
  return `<text${attrString({ x, y, "font-size": size, ...attrs })}>${base}<tspan dy="${px(size * 0.3)}" font-size="${px(size * 0.68)}">${sub}</tspan></text>`;
}

/** A whole standalone SVG document (XML declaration, namespace, title for screen readers and tooltips). */
export function svgDocument(width: number, height: number, title: string, body: readonly string[], className = "cai-picture"): string {
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n`;
  return head + svgElement(width, height, title, body, className) + "\n";
}

/** The `<svg>` element alone (for inlining into HTML). */
export function svgElement(width: number, height: number, title: string, body: readonly string[], className = "cai-picture"): string {
  const attrs = attrString({
    xmlns: SVG_NAMESPACE,
    class: className,
    width,
    height,
    viewBox: `0 0 ${px(width)} ${px(height)}`,
    role: "img",
    "aria-label": title,
    "font-family": FONT_FAMILY,
  });
  return `<svg${attrs}>\n<title>${escapeXml(title)}</title>\n<rect width="100%" height="100%" fill="#ffffff"/>\n${body.join("\n")}\n</svg>`;
}

/** Strip the XML declaration of a standalone document, for inlining into HTML. */
export function inlineSvg(doc: string): string {
  return doc.replace(/^<\?xml[^>]*\?>\s*/, "").trimEnd();
}

/**
 * A value as the pictures print it: 3 significant digits, exponent form outside [1e-3, 1e4),
 * -0 printed as 0. The exact value travels alongside in a `data-value` attribute.
 */
export function formatValue(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "∞";
  if (x === -Infinity) return "−∞";
  if (x === 0) return "0";
  const a = Math.abs(x);
  const s = a >= 1e4 || a < 1e-3 ? x.toExponential(2) : x.toPrecision(3);
  return s.startsWith("-") ? "−" + s.slice(1) : s;
}

/** Parse a number printed by {@link formatValue} (the minus sign is U+2212). */
export function parseFormatted(s: string): number {
  return Number(s.replace("−", "-").replace("∞", "Infinity"));
}

/** A probability as the pictures print it (2 decimals). */
export function formatProb(p: number): string {
  return p.toFixed(2);
}

const SUBSCRIPT_DIGITS = "₀₁₂₃₄₅₆₇₈₉";

/** "s_12" -> "s₁₂" (Unicode subscript digits), for plain-text labels; other strings are kept. */
export function unicodeSubscript(key: string): string {
  const m = /^(.*)_(\d+)$/.exec(key);
  if (!m) return key;
  return m[1]! + [...m[2]!].map((d) => SUBSCRIPT_DIGITS[Number(d)]).join("");
}

/** Approximate width of a string in a sans-serif font of the given size (layout only). */
export function textWidth(s: string, size: number): number {
  return [...s].length * size * 0.6;
}

// --- colour -----------------------------------------------------------------------------------

/** Viridis at ten equally spaced stops: perceptually uniform, lightness increasing, colour-blind safe. */
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 73, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [110, 206, 88],
  [181, 222, 43],
  [253, 231, 37],
];

/** An sRGB colour as three bytes. */
export type Rgb = readonly [number, number, number];

/** How many colours the value scale uses: enough to look continuous, few enough that each is lighter than the last. */
export const COLOUR_LEVELS = 64;

/** The colour table: viridis sampled at COLOUR_LEVELS points; relative luminance strictly increasing (tested). */
export const COLOUR_TABLE: readonly Rgb[] = Array.from({ length: COLOUR_LEVELS }, (_, i) => {
  const t = (i / (COLOUR_LEVELS - 1)) * (VIRIDIS.length - 1);
  const j = Math.min(VIRIDIS.length - 2, Math.floor(t));
  const f = t - j;
  const a = VIRIDIS[j]!;
  const b = VIRIDIS[j + 1]!;
  return [Math.round(a[0] + f * (b[0] - a[0])), Math.round(a[1] + f * (b[1] - a[1])), Math.round(a[2] + f * (b[2] - a[2]))] as const;
});

/** Viridis at u in [0, 1] (clamped; NaN reads as 0), from {@link COLOUR_TABLE}. */
export function viridis(u: number): Rgb {
  const t = Math.min(1, Math.max(0, Number.isFinite(u) ? u : 0));
  return COLOUR_TABLE[Math.round(t * (COLOUR_LEVELS - 1))]!;
}

/** "#rrggbb". */
export function hex(c: Rgb): string {
  return "#" + c.map((v) => v.toString(16).padStart(2, "0")).join("");
}

/** Parse "#rrggbb". */
export function parseHex(s: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(s);
  if (!m) throw new RangeError(`not a #rrggbb colour: ${s}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/** WCAG relative luminance of an sRGB colour, in [0, 1]. */
export function luminance(c: Rgb): number {
  const lin = (v: number) => {
    const x = v / 255;
    return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}

/** Black or white, whichever reads better on the given background. */
export function inkOn(c: Rgb): string {
  return luminance(c) > 0.2 ? "#111111" : "#ffffff";
}

/** A linear map from a value range to [0, 1]; a range of one value maps to 0.5. */
export interface ValueScale {
  readonly min: number;
  readonly max: number;
  /** Position of x in [0, 1]. */
  at(x: number): number;
  /** The fill colour of x. */
  colour(x: number): Rgb;
}

/** The scale spanning the finite values given. */
export function valueScale(values: Iterable<number>): ValueScale {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) {
    min = 0;
    max = 0;
  }
  const span = max - min;
  // A span at rounding level of the values is no span: draw one colour.
  const flat = !(span > 1e-12 * Math.max(1, Math.abs(min), Math.abs(max)));
  const at = (x: number) => (flat ? 0.5 : x === Infinity ? 1 : x === -Infinity ? 0 : Math.min(1, Math.max(0, (x - min) / span)));
  return { min, max, at, colour: (x) => viridis(at(x)) };
}

/** Colours for categories (actions): Okabe-Ito, distinguishable with colour-blindness. */
export const CATEGORY_COLOURS: readonly string[] = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#999999"];
