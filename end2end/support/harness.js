// The release server on an ephemeral loopback port, and Debian's Chromium driven by
// playwright-core. Nothing here downloads a browser.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The bundle's file stem under `pkg/`, from where the build takes it. */
export const outputName = readFileSync(resolve(repoRoot, '.cargo/config.toml'), 'utf8')
  .match(/^BUNDLE_NAME\s*=\s*"([^"]+)"/m)[1];

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const SERVER = resolve(repoRoot, 'target/release/server');
/** The site root that `make build` wrote: its bundle is what the tests load. */
const BUILT_SITE = process.env.LEPTOS_SITE_ROOT ?? resolve(repoRoot, 'target/site');
/**
 * The tests' own posts. Not the site's `content/`: a site made from this
 * starter replaces those posts, and its tests must still mean something.
 */
const FIXTURE_POSTS = resolve(repoRoot, 'end2end/fixtures/content/posts');

/**
 * A site root as `make build` writes one, but from the tests' own posts plus
 * those in `extraPostDirs`: the built bundle and `public/`, copied, and every
 * page prerendered by the release server. Removed after the file's tests.
 * `postCount` is how many posts it has.
 */
export function fixtureSite(extraPostDirs = []) {
  const scratch = mkdtempSync(join(tmpdir(), 'end2end-site-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const site = join(scratch, 'site');
  const content = join(scratch, 'content');
  mkdirSync(join(content, 'posts'), { recursive: true });
  let postCount = 0;
  for (const dir of [FIXTURE_POSTS, ...extraPostDirs]) {
    for (const file of readdirSync(dir)) {
      cpSync(join(dir, file), join(content, 'posts', file));
      postCount += 1;
    }
  }
  cpSync(join(BUILT_SITE, 'pkg'), join(site, 'pkg'), { recursive: true });
  cpSync(resolve(repoRoot, 'public'), site, { recursive: true });
  const built = spawnSync(SERVER, ['prerender'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      LEPTOS_SITE_ROOT: site,
      CONTENT_DIR: content,
      DATABASE_URL: `sqlite://${join(scratch, 'build.db')}`, // @demo
      NO_COLOR: '1',
    },
    encoding: 'utf8',
  });
  assert.equal(built.status, 0, `the fixture site's prerender failed:\n${built.stderr}${built.stdout}`);
  return { site, content, postCount };
}

/** Starts the release server over `site` and resolves once it prints the address it bound. */
export async function startServer(site, env = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'end2end-'));
  const child = spawn(SERVER, [], {
    cwd: repoRoot,
    env: {
      ...process.env,
      LEPTOS_SITE_ADDR: '127.0.0.1:0',
      LEPTOS_SITE_ROOT: site.site,
      CONTENT_DIR: site.content,
      DATABASE_URL: `sqlite://${join(dataDir, 'blog.db')}`, // @demo
      DEMO_LATENCY_MS: '0', // @demo
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
 * Starts the server (with `env`, over `site`) and Chromium before the file's
 * tests and stops both after them. Returns getters, since both exist only once
 * `before` ran.
 */
export function serverAndBrowser(env = {}, site = fixtureSite()) {
  let server;
  let browser;
  before(async () => {
    server = await startServer(site, env);
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

// @demo-begin
/**
 * Opens `url` (a page with holes, on a server with demo latency) and checks that
 * filling the holes moves nothing: where the post list starts and how tall
 * each hole is, measured while the skeletons show and again once both holes
 * are filled, are the same.
 */
export async function checkHolesKeepTheirSpace(browser, url) {
  const { page, problems } = await openPage(browser);
  const measure = () => page.evaluate(() => ({
    listTop: document.querySelector('.posts').getBoundingClientRect().top,
    holeHeights: [...document.querySelectorAll('.hole')].map((hole) => hole.getBoundingClientRect().height),
  }));
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector('[data-post-slug]');
  // The stylesheet gives each hole its height: under load, the list can be in
  // the DOM before the stylesheet is applied, and a height measured then is
  // the unstyled one.
  await page.waitForFunction(() => [...document.querySelectorAll('link[rel="stylesheet"]')].every((link) => link.sheet));
  assert.ok(await page.locator('[data-hole-skeleton]').count() >= 1, 'measured while the holes load');
  const loading = await measure();
  await page.waitForSelector('[data-hole-ready="trending"]');
  await page.waitForSelector('[data-hole-ready="most-viewed-today"]');
  const filled = await measure();
  assert.deepEqual(filled.holeHeights, loading.holeHeights, 'each hole kept its height');
  assert.equal(filled.listTop, loading.listTop, 'the post list did not move');
  await page.waitForLoadState('networkidle');
  assert.deepEqual(problems, []);
  await page.close();
}
// @demo-end
