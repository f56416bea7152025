/**
 * control-as-inference/render: pictures and the report as self-contained SVG and HTML (no scripts,
 * no network). Not part of the main API: import it from "control-as-inference/render".
 */
export {
  renderGraphSvg,
  type GraphPictureOptions,
} from "./graph-svg.js";
export {
  renderValuesSvg,
  actionDirection,
  drawableGrid,
  runFacts,
  reachableStates,
  arrowLength,
  UNREACHABLE_FILL,
  ARROW_MIN_PROB,
  MAX_BAR_STATES,
  type ValuePanel,
  type ValuesPictureOptions,
} from "./values-svg.js";
export { solvePanel, backupPanels, alphaPanels, gridOfPanels, settingsText, type PanelRunOptions } from "./runs.js";
export {
  renderReport,
  reportRuns,
  ruleDerivation,
  REPORT_TABLE_STATES,
  type ReportInput,
  type ReportDerivation,
  type ReportRunOptions,
} from "./report.js";
export { escapeXml, formatValue, valueScale, viridis, COLOUR_TABLE, type ValueScale, type Rgb } from "./svg.js";
