// Starts a bench's child (`node bench/launch.mjs bench/tree.ts --write …`) as the installed
// CLI starts (bin/stillpoint.js): plain JavaScript that enables Node's compile cache before any
// module loads, then the TypeScript, served from that cache after the first run. Started as
// `node bench/tree.ts --write`, each timed run first loaded Node's type stripper (amaro, a
// WebAssembly module) for the bench file itself: about 180 ms and 20 MiB that no installed
// user pays (`node bench/tree.ts --warm`: 0.31 s; through this file: 0.13 s).

import { enableCompileCache } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

enableCompileCache();
// The child sees the argv it would have had as `node <file> …`.
process.argv.splice(1, 1);
await import(pathToFileURL(resolve(process.argv[1])).href);
