import { buildProcesses } from "./processes";

/** `npm run build`: the platform's processes as bundles in dist/, for the image and production starts. */
await buildProcesses();
process.stdout.write("built dist/api.mjs, dist/workers.mjs and dist/migrate.mjs\n");
