// `npm run build` (and `prepare`, so `npm install` and `npm ci` build too): compiles src/ into
// dist/ with tsconfig.build.json, then copies the files the code reads beside itself at run time
// (everything in src/ that is not TypeScript, such as src/grading/inginious-bin/); then builds the
// web app with Vite (web/ → web/dist/, served at `/` by src/web-static.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

process.chdir(path.join(import.meta.dirname, '..'));
fs.rmSync('dist', { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);
fs.cpSync('src', 'dist', { recursive: true, filter: (from) => !from.endsWith('.ts') });

const { build } = await import('vite');
await build({ configFile: path.resolve('web/vite.config.ts'), logLevel: 'warn' });
