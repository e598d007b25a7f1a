#!/usr/bin/env node
// The CLI runs the compiled JavaScript in dist/ (built by `npm install`, `npm ci` or `npm run build`).
// From a checkout, `node --import tsx src/main.ts` runs the sources instead.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (existsSync(main)) {
  await import(main.href);
} else {
  process.stderr.write('assay: dist/main.js is missing: run `npm run build` first\n');
  process.exitCode = 1;
}
