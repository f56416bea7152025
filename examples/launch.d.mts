/** Whether the build in `dir`/dist is older than a TypeScript source, package.json or tsconfig.json (or missing). */
export function needsBuild(dir: string): boolean;
