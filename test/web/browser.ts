// What the browser tests share: the built web app (built here when web/src is newer than
// web/dist), Debian's Chromium through playwright-core, and screenshots under .tmp/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** ASSAY_TEST_WEB_DIST builds the app into a folder of one's own (several people testing in one checkout). */
export const WEB_DIST = process.env.ASSAY_TEST_WEB_DIST ? path.resolve(process.env.ASSAY_TEST_WEB_DIST) : path.join(ROOT, 'web', 'dist');
export const SCREENSHOTS = path.join(ROOT, '.tmp', 'screenshots');
export const CHROMIUM = '/usr/bin/chromium';

function newest(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const p = path.join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }, 0);
}

/** web/dist as the current sources make it (CI's `npm ci` has just built it; locally it may be stale). */
export async function builtWebApp(): Promise<string> {
  const index = path.join(WEB_DIST, 'index.html');
  const sources = Math.max(newest(path.join(ROOT, 'web', 'src')), fs.statSync(path.join(ROOT, 'web', 'index.html')).mtimeMs);
  if (!fs.existsSync(index) || fs.statSync(index).mtimeMs < sources) {
    const { build } = await import('vite');
    await build({ configFile: path.join(ROOT, 'web', 'vite.config.ts'), logLevel: 'warn', build: { outDir: WEB_DIST, emptyOutDir: true } });
  }
  return WEB_DIST;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

let announced = false;
/** Saves a full-page PNG as .tmp/screenshots/<name>.png (the folder is printed once, for CI logs). */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  if (!announced) {
    process.stdout.write(`screenshots: ${SCREENSHOTS}\n`);
    announced = true;
  }
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Opens the app in a new page of `context` and signs in with the sign-in form; resolves once the home page shows. */
export async function signInPage(context: BrowserContext, person: { username: string; password: string }): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/');
  await page.getByLabel('Username').fill(person.username);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Your courses' }).waitFor();
  return page;
}
