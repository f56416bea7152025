/** The test parser itself: it must reject what is not well-formed, or the picture tests prove nothing. */
import { describe, expect, it } from "vitest";
import { parseXml, select, textOf, XmlError } from "./xml.js";

describe("the strict XML parser used by the picture tests", () => {
  it("accepts a well-formed document and decodes entities", () => {
    const root = parseXml(`<?xml version="1.0"?>\n<svg a="1 &amp; 2"><g><text x='3'>&lt;s&gt; &#960; &#x3c0;</text></g><rect/></svg>\n`);
    expect(root.name).toBe("svg");
    expect(root.attrs.a).toBe("1 & 2");
    expect(textOf(select(root, "text")[0]!)).toBe("<s> π π");
  });

  it.each([
    ["an unclosed element", "<svg><g></svg>"],
    ["a mismatched end tag", "<svg><g></h></svg>"],
    ["a raw ampersand", "<svg>a & b</svg>"],
    ["a raw < in an attribute", '<svg a="<"/>'],
    ["an unknown entity", "<svg>&nbsp;</svg>"],
    ["an unquoted attribute", "<svg a=1/>"],
    ["a duplicate attribute", '<svg a="1" a="2"/>'],
    ["two roots", "<svg/><svg/>"],
    ["text after the root", "<svg/>x"],
    ["a CDATA section", "<svg><![CDATA[x]]></svg>"],
  ])("rejects %s", (_what, doc) => {
    expect(() => parseXml(doc)).toThrow(XmlError);
  });
});
