// `npm run build` (and `prepare`, so `npm install` and `npm ci` build too): compiles src/ into
// dist/ with tsconfig.build.json, then copies the files the code reads beside itself at run time
// (everything in src/ that is not TypeScript, such as src/grading/inginious-bin/); compiles the
// sandbox's C programs (build/native/); then builds the web app with Vite (web/ → web/dist/, served
// at `/` by src/web-static.ts).
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

// The sandbox's C programs (the broker and run_student, src/grading/sandbox/native/) with the
// machine's C compiler, into build/native/. Without one the build goes on: run_student separates by
// a nested sandbox only (the server's notes say why).
const { buildNative } = await import('../dist/grading/sandbox/native.js');
const native = buildNative((line) => console.log(line));
if (native.reason) console.warn(`warning: ${native.reason}`);

const { build } = await import('vite');
await build({ configFile: path.resolve('web/vite.config.ts'), logLevel: 'warn' });
