// The release server on an ephemeral loopback port, and Debian's Chromium driven by
// playwright-core. Nothing here downloads a browser.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Starts `target/release/server` and resolves once it prints the address it bound. */
export async function startServer(env = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'end2end-'));
  const child = spawn(resolve(repoRoot, 'target/release/server'), [], {
    cwd: repoRoot,
    env: {
      ...process.env,
      LEPTOS_SITE_ADDR: '127.0.0.1:0',
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? resolve(repoRoot, 'target/site'),
      CONTENT_DIR: resolve(repoRoot, 'content'),
      DATABASE_URL: `sqlite://${join(dataDir, 'blog.db')}`,
      DEMO_LATENCY_MS: '0',
      RUST_LOG: 'warn,server=info',
      NO_COLOR: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20000);
    const onData = (chunk) => {
      output += chunk;
      const match = output.match(/listening on (http:\/\/[\d.:]+)/);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    url,
    stop: () => new Promise((done) => {
      const cleanUp = () => { rmSync(dataDir, { recursive: true, force: true }); done(); };
      if (child.exitCode !== null) return cleanUp();
      child.once('exit', cleanUp);
      child.kill('SIGTERM');
    }),
  };
}

/**
 * Starts the server (with `env`) and Chromium before the file's tests and stops
 * both after them. Returns getters, since both exist only once `before` ran.
 */
export function serverAndBrowser(env = {}) {
  let server;
  let browser;
  before(async () => {
    server = await startServer(env);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
  return { server: () => server, browser: () => browser };
}

export function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * A new page that records every console error or warning and uncaught exception.
 * `expectedNotFound` ignores the browser's own log line for a document served with 404.
 */
export async function openPage(browser, { expectedNotFound = false, noAppServer = false } = {}) {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    const text = message.text();
    if (expectedNotFound && /status of 404/.test(text)) return;
    // A plain file server has no API: the page's view count can't be recorded there.
    if (noAppServer && /status of 501/.test(text) && /\/api\//.test(message.location().url)) return;
    problems.push(`${message.type()}: ${text} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return { page, problems };
}

export async function waitForClientMode(page, mode) {
  await page.waitForSelector(`html[data-client-mode="${mode}"]`, { timeout: 15000 });
}

/** Clicks the first tag button whose tag only some posts carry, and checks the list in place. */
export async function checkTagFilter(page, posts) {
  const tag = (await page.$$eval('[data-tag-filter]', (buttons) => buttons.map((b) => b.dataset.tagFilter)))
    .find((t) => { const n = posts.filter((p) => p.tags.includes(t)).length; return n > 0 && n < posts.length; });
  assert.ok(tag, 'some tag filters the list');
  const expected = posts.filter((p) => p.tags.includes(tag)).map((p) => p.slug).sort();
  const shownPosts = '[data-post-slug]:not([hidden])';

  await page.evaluate(() => { window.__sameDocument = true; });
  await page.click(`[data-tag-filter="${tag}"]`);
  await page.waitForFunction(([selector, n]) => document.querySelectorAll(selector).length === n, [shownPosts, expected.length]);
  const shown = (await page.$$eval(shownPosts, (els) => els.map((e) => e.dataset.postSlug))).sort();
  assert.deepEqual(shown, expected, `only posts tagged ${tag} are shown`);
  assert.ok(await page.locator('[data-post-slug][hidden]').first().isHidden(), 'the other posts are out of sight');
  assert.equal(await page.getAttribute(`[data-tag-filter="${tag}"]`, 'aria-pressed'), 'true');
  assert.equal(await page.getAttribute('[data-tag-filter-clear]', 'aria-pressed'), 'false');
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'filtering did not navigate');

  await page.click('[data-tag-filter-clear]');
  await page.waitForFunction(([selector, n]) => document.querySelectorAll(selector).length === n, [shownPosts, posts.length]);
  assert.equal(await page.getAttribute('[data-tag-filter-clear]', 'aria-pressed'), 'true');
}
