/**
 * A small, strict XML parser for the picture tests, written apart from the code that writes the
 * pictures: it accepts only well-formed documents (one root, balanced and matching tags, quoted
 * and unique attributes, only the five predefined entities and character references, no raw < or
 * & in text or attributes) and returns the element tree with entities decoded. A leading XML
 * declaration, an HTML5 doctype and comments are allowed.
 */

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
}
export type XmlNode = XmlElement | string;

export class XmlError extends Error {}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const NAME = /^[A-Za-z_:][A-Za-z0-9_:.-]*/;

function decode(raw: string, at: number): string {
  if (raw.includes("<")) throw new XmlError(`raw "<" in character data near offset ${at}`);
  return raw.replace(/&([^;&\s]*);?/g, (whole, body: string) => {
    if (!whole.endsWith(";")) throw new XmlError(`"&" not starting an entity near offset ${at}: ${JSON.stringify(whole)}`);
    if (body in ENTITIES) return ENTITIES[body]!;
    const m = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(body);
    if (!m) throw new XmlError(`unknown entity &${body}; near offset ${at}`);
    const code = m[1]!.startsWith("x") ? parseInt(m[1]!.slice(1), 16) : parseInt(m[1]!, 10);
    return String.fromCodePoint(code);
  });
}

/** Parse a whole document; throws {@link XmlError} at the first problem. */
export function parseXml(doc: string): XmlElement {
  let i = 0;
  const skipMisc = () => {
    for (;;) {
      while (i < doc.length && /\s/.test(doc[i]!)) i++;
      if (doc.startsWith("<!--", i)) {
        const end = doc.indexOf("-->", i + 4);
        if (end < 0) throw new XmlError("unterminated comment");
        i = end + 3;
      } else return;
    }
  };
  if (doc.startsWith("<?xml", i)) {
    const end = doc.indexOf("?>", i);
    if (end < 0) throw new XmlError("unterminated XML declaration");
    i = end + 2;
  }
  skipMisc();
  if (/^<!DOCTYPE html>/i.test(doc.slice(i, i + 15))) i += 15;
  skipMisc();

  const parseElement = (): XmlElement => {
    if (doc[i] !== "<") throw new XmlError(`expected "<" at offset ${i}`);
    i++;
    const nm = NAME.exec(doc.slice(i, i + 200));
    if (!nm) throw new XmlError(`bad element name at offset ${i}`);
    const name = nm[0];
    i += name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      const ws = /^\s*/.exec(doc.slice(i, i + 200))![0].length;
      i += ws;
      if (doc.startsWith("/>", i)) {
        i += 2;
        return { name, attrs, children: [] };
      }
      if (doc[i] === ">") {
        i++;
        break;
      }
      if (ws === 0) throw new XmlError(`expected whitespace before an attribute of <${name}> at offset ${i}`);
      const an = NAME.exec(doc.slice(i, i + 200));
      if (!an) throw new XmlError(`bad attribute name in <${name}> at offset ${i}: ${JSON.stringify(doc.slice(i, i + 20))}`);
      i += an[0].length;
      if (doc[i] !== "=") throw new XmlError(`attribute ${an[0]} of <${name}> has no value at offset ${i}`);
      i++;
      const q = doc[i];
      if (q !== '"' && q !== "'") throw new XmlError(`attribute ${an[0]} of <${name}> is not quoted at offset ${i}`);
      const end = doc.indexOf(q, i + 1);
      if (end < 0) throw new XmlError(`unterminated attribute ${an[0]} of <${name}>`);
      if (an[0] in attrs) throw new XmlError(`duplicate attribute ${an[0]} in <${name}> at offset ${i}`);
      attrs[an[0]] = decode(doc.slice(i + 1, end), i);
      i = end + 1;
    }
    const children: XmlNode[] = [];
    for (;;) {
      const lt = doc.indexOf("<", i);
      if (lt < 0) throw new XmlError(`<${name}> is never closed`);
      if (lt > i) {
        const raw = doc.slice(i, lt);
        if (raw.includes("]]>")) throw new XmlError(`"]]>" in character data at offset ${i}`);
        children.push(decode(raw, i));
      }
      i = lt;
      if (doc.startsWith("<!--", i)) {
        const end = doc.indexOf("-->", i + 4);
        if (end < 0) throw new XmlError("unterminated comment");
        i = end + 3;
      } else if (doc.startsWith("</", i)) {
        const end = doc.indexOf(">", i);
        const closing = doc.slice(i + 2, end).trim();
        if (closing !== name) throw new XmlError(`</${closing}> closes <${name}> at offset ${i}`);
        i = end + 1;
        return { name, attrs, children };
      } else if (doc.startsWith("<![CDATA[", i) || doc.startsWith("<?", i) || doc.startsWith("<!", i)) {
        throw new XmlError(`unexpected markup at offset ${i}`);
      } else {
        children.push(parseElement());
      }
    }
  };

  const root = parseElement();
  skipMisc();
  if (i !== doc.length) throw new XmlError(`content after the root element at offset ${i}: ${JSON.stringify(doc.slice(i, i + 30))}`);
  return root;
}

/** Every element of the tree (depth first, the root included). */
export function allElements(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    out.push(e);
    for (const c of e.children) if (typeof c !== "string") walk(c);
  };
  walk(root);
  return out;
}

/** Elements with the given tag name, and (when given) a class among their classes. */
export function select(root: XmlElement, name: string, cls?: string): XmlElement[] {
  return allElements(root).filter((e) => (name === "*" || e.name === name) && (cls === undefined || (e.attrs.class ?? "").split(/\s+/).includes(cls)));
}

/** The text content of an element (descendants' text joined). */
export function textOf(e: XmlNode): string {
  return typeof e === "string" ? e : e.children.map(textOf).join("");
}

/** An attribute as a number (throws when missing or not a number). */
export function num(e: XmlElement, attr: string): number {
  const v = e.attrs[attr];
  if (v === undefined) throw new Error(`<${e.name}> has no ${attr}`);
  const x = Number(v);
  if (!Number.isFinite(x) && v !== "Infinity" && v !== "-Infinity") throw new Error(`<${e.name}> ${attr}="${v}" is not a number`);
  return x;
}
