/** The eight steps of the lesson page, in order (the page's tabs; the browser test visits each). */
export const STEPS = [
  { id: "world", title: "1. The world" },
  { id: "graph", title: "2. The graph" },
  { id: "backups", title: "3. The two backups" },
  { id: "temperature", title: "4. Temperature and prior" },
  { id: "evidence", title: "5. Evidence and the ELBO" },
  { id: "sweeps", title: "6. Message passing, step by step" },
  { id: "samples", title: "7. Samples" },
  { id: "derivation", title: "8. The derivation" },
] as const;
export type StepId = (typeof STEPS)[number]["id"];
