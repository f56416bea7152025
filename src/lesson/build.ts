/**
 * Builds the lesson page: one self-contained HTML file (no network, opens from file://). The page's
 * script (page.ts with the engine it imports) is bundled by esbuild's JS API for the browser; the
 * derivations of step 8 are what `cai derive --format latex` prints, rendered by KaTeX to MathML
 * (no fonts, no stylesheet: the browser draws MathML itself). Node-only: loads esbuild, KaTeX and
 * mathjs when called.
 */
import type { SymbolicModel } from "../derive/priors.js";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BACKUPS } from "./model.js";

/** The derivation of one backup as HTML: headings, paragraphs, one MathML display per equation with its identity. */
export function latexToHtml(latex: string, render: (tex: string) => string): string {
  const out: string[] = [];
  const text = (s: string) =>
    escapeHtml(
      s
        .replace(/\$\\to\$/g, "→")
        .replace(/\\textbackslash\{\}/g, "\\")
        .replace(/\\\^\{\}/g, "^")
        .replace(/\\~\{\}/g, "~")
        .replace(/\\([{}$&#_%])/g, "$1"),
    );
  let inAlign = false;
  let inList = false;
  for (const raw of latex.split("\n")) {
    const line = raw.trim();
    if (line === "" || (line.startsWith("%") && !inAlign)) continue;
    if (line === "\\begin{align*}") {
      inAlign = true;
      out.push(`<div class="equations">`);
      continue;
    }
    if (line === "\\end{align*}") {
      inAlign = false;
      out.push(`</div>`);
      continue;
    }
    if (line === "\\begin{itemize}") {
      inList = true;
      out.push("<ul>");
      continue;
    }
    if (line === "\\end{itemize}") {
      inList = false;
      out.push("</ul>");
      continue;
    }
    if (inAlign) {
      const cut = line.indexOf(" % ");
      const tex = (cut >= 0 ? line.slice(0, cut) : line).replace(/\\\\\s*$/, "").replace("&=", "=").trim();
      const note = cut >= 0 ? line.slice(cut + 3).trim() : "";
      out.push(`<div class="equation">${render(tex)}${note ? `<p class="by">by: ${escapeHtml(note)}</p>` : ""}</div>`);
      continue;
    }
    if (inList && line.startsWith("\\item")) {
      out.push(`<li>${text(line.slice(5).trim())}</li>`);
      continue;
    }
    const para = /^\\paragraph\{((?:[^{}]|\{[^{}]*\})*)\}\s*(.*)$/.exec(line);
    if (para) {
      out.push(`<h3>${text(para[1]!)}</h3>${para[2] ? `<p>${text(para[2])}</p>` : ""}`);
      continue;
    }
    out.push(`<p>${text(line)}</p>`);
  }
  return out.join("\n");
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The derivations of the three backups with a model's prior put in, each in a `data-derivation` block. */
export async function derivationsHtml(model: SymbolicModel): Promise<string> {
  const { derive, formatDerivation } = await import("../derive/index.js");
  const katex = (await import("katex")).default;
  const render = (tex: string) => katex.renderToString(tex, { output: "mathml", displayMode: true, throwOnError: true });
  const blocks: string[] = [];
  for (const backup of BACKUPS) {
    const latex = formatDerivation(await derive({ backup, model }), "latex");
    blocks.push(`<div data-derivation="${backup}"${backup === BACKUPS[0] ? "" : " hidden"}>\n${latexToHtml(latex, render)}\n</div>`);
  }
  return blocks.join("\n");
}

/** The page script's entry: the compiled page.js beside this module, or page.ts when run from the sources, or dist/src/lesson/page.js from the bundled command line (dist/cai.js). */
function pageEntry(): string {
  for (const name of ["page.js", "page.ts", "src/lesson/page.js"]) {
    const path = fileURLToPath(new URL(`./${name}`, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error("the lesson page's script (page.js) is missing beside build.js: run `npm run build`");
}

/** The page's script, bundled for the browser (one IIFE, minified). */
export async function bundlePage(): Promise<string> {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [pageEntry()],
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "silent",
  });
  const js = result.outputFiles[0]!.text;
  // Inline in a <script> element: the text must not close the element.
  if (/<\/script/i.test(js)) throw new Error("the bundled page script contains </script");
  return js;
}

const STYLE = `
:root { --cell: 34px; --ink: #111827; --muted: #4b5563; --line: #d1d5db; --accent: #0072b2; font-family: "DejaVu Sans", Verdana, Arial, sans-serif; color: var(--ink); }
* { box-sizing: border-box; }
body { margin: 0; font-size: 15px; line-height: 1.4; }
header { padding: 8px 16px 0; border-bottom: 1px solid var(--line); }
h1 { font-size: 19px; margin: 0 0 4px; }
h1 .sub { font-size: 14px; font-weight: normal; color: var(--muted); margin-left: 8px; }
h2 { font-size: 18px; margin: 4px 0 6px; }
h3 { font-size: 15px; margin: 12px 0 4px; }
nav[role=tablist] { display: flex; flex-wrap: wrap; gap: 2px; }
nav button { border: 1px solid var(--line); border-bottom: none; background: #f3f4f6; padding: 5px 7px; font: inherit; font-size: 13px; cursor: pointer; border-radius: 4px 4px 0 0; }
nav button[aria-selected=true] { background: #ffffff; border-color: var(--accent); color: var(--accent); font-weight: bold; }
button:focus-visible, input:focus-visible, select:focus-visible, g.message:focus { outline: 3px solid #e69f00; outline-offset: 1px; }
.layout { display: grid; grid-template-columns: 270px minmax(0, 1fr); }
aside { padding: 10px 14px; border-right: 1px solid var(--line); background: #fafafa; min-height: calc(100vh - 80px); }
aside fieldset { border: 1px solid var(--line); margin: 0 0 10px; padding: 6px 10px 10px; }
aside legend { font-weight: bold; }
aside label { display: block; margin-top: 8px; font-size: 14px; }
aside label.inline, .controls-row label.inline { display: inline-flex; align-items: center; gap: 6px; }
aside input[type=range], aside select { width: 100%; }
output { font-weight: bold; font-variant-numeric: tabular-nums; }
.help { font-size: 12.5px; color: var(--muted); margin: 2px 0; }
main { padding: 8px 18px 24px; min-width: 0; }
main p { max-width: 78em; margin: 4px 0 8px; }
.row { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; }
.picture svg { max-width: 100%; height: auto; display: block; }
#backup-maps svg { width: 100%; max-width: 1100px; }
.row.side { flex-wrap: nowrap; }
#graph { flex: 1 1 auto; min-width: 0; }
#graph svg { width: 100%; height: auto; max-height: 72vh; }
#temp-map svg, #sweep-map svg, #evidence-maps svg { max-height: 58vh; width: auto; }
#temp-strip svg { max-height: 34vh; width: auto; }
.facts { border-collapse: collapse; margin: 6px 0; font-size: 14px; }
.facts caption { text-align: left; color: var(--muted); font-size: 13px; padding-bottom: 4px; caption-side: top; max-width: 60em; }
.facts th, .facts td { border-bottom: 1px solid #e5e7eb; padding: 3px 10px 3px 0; text-align: left; font-weight: normal; }
.facts thead th { font-weight: bold; }
td.num { font-variant-numeric: tabular-nums; text-align: right; font-family: "DejaVu Sans Mono", Menlo, monospace; }
td.note { color: var(--muted); font-size: 13px; }
.error { color: #b91c1c; }
.controls-row { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; margin: 6px 0; }
.controls-row input[type=range] { width: 220px; }
.map-grid .cells { display: grid; gap: 2px; }
#map-editor { --cell: 40px; }
.map-grid.small { --cell: 28px; margin-top: 8px; }
button.cell { width: var(--cell); height: var(--cell); padding: 0; font: bold 14px "DejaVu Sans Mono", monospace; border: 1px solid #9ca3af; cursor: pointer; }
button.cell.kind-frozen, button.cell.kind-free { background: #dbeafe; }
button.cell.kind-start { background: #fde68a; }
button.cell.kind-hole { background: #1f2937; color: #ffffff; }
button.cell.kind-goal { background: #6ee7b7; }
button.cell.kind-cliff { background: #9ca3af; cursor: not-allowed; }
button.cell.on-path { outline: 3px solid #d55e00; outline-offset: -3px; }
#world-facts { max-width: 34em; }
#message { flex: 0 0 290px; min-height: 8em; }
.equation { margin: 2px 0 6px; }
.equation math { font-size: 1.15em; }
.by { font-size: 12.5px; color: var(--muted); margin: 0 0 0 2em !important; }
@media (min-width: 1700px) { body { font-size: 16px; } :root { --cell: 40px; } .layout { grid-template-columns: 300px minmax(0, 1fr); } }
`;

/** The whole page; its derivations put in the prior of `model` (the CLI passes the default model's). */
export async function buildLessonPage(model: SymbolicModel): Promise<string> {
  const [script, derivations] = await Promise.all([bundlePage(), derivationsHtml(model)]);
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "<title>Control as inference: the lesson</title>",
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    '<div id="app"><noscript>The lesson runs the engine in the page: it needs JavaScript.</noscript></div>',
    `<template id="derivation-html">\n${derivations}\n</template>`,
    `<script>${script}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
