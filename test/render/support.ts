/** Checks shared by the picture tests. */
import { SVG_NAMESPACE } from "../../src/render/svg.js";

/**
 * What a self-contained picture or page must not hold: a network address (the SVG namespace
 * declaration aside, which names the vocabulary and is never fetched), a script, an import, an
 * external stylesheet, font or image, or a url() reference.
 */
export function externalReferences(doc: string): string[] {
  const withoutNamespace = doc.split(`xmlns="${SVG_NAMESPACE}"`).join("");
  const rules: [RegExp, string][] = [
    [/https?:/i, "a network address"],
    [/\/\/[a-z0-9.-]+\.[a-z]{2,}\//i, "a protocol-relative address"],
    [/<script/i, "a script"],
    [/@import/i, "an @import"],
    [/@font-face/i, "a web font"],
    [/url\(/i, "a url() reference"],
    [/<link/i, "a <link>"],
    [/<img/i, "an <img>"],
    [/<image/i, "an <image>"],
    [/<iframe/i, "an <iframe>"],
    [/<object/i, "an <object>"],
    [/<embed/i, "an <embed>"],
    [/<foreignObject/i, "a <foreignObject>"],
    [/\bhref=/i, "a link (href)"],
    [/\bsrc=/i, "a src attribute"],
    [/\bon[a-z]+=/i, "an event handler attribute"],
    [/javascript:/i, "a javascript: URL"],
  ];
  return rules.filter(([re]) => re.test(withoutNamespace)).map(([, what]) => what);
}
