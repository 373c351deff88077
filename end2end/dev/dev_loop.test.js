// `make dev` on a scratch copy of the project: the open page follows a
// stylesheet edit in place, and a post edit, a component edit, and a syntax
// error and its fix with a reload. Each edit's time, from the save to the page
// showing it, is printed, and written to target/bench/dev-loop.json: `make
// bench-dev` runs this file for those figures.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve, dirname } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, repoRoot } from '../support/harness.js';

const XTASK = resolve(repoRoot, 'target/release/xtask');
// A fixed path, so that a second run reuses the build dirs' layout; the copy is fresh each run.
const SCRATCH = resolve(repoRoot, 'target/dev-loop-test');
const PROJECT = join(SCRATCH, 'project');
const CONTENT = join(SCRATCH, 'content');
// The first round builds the bundles' debug dependencies when none are built yet
// (about 2 minutes here), and the server's too when `make build` has not run.
const FIRST_ROUND_MS = 15 * 60 * 1000;
const EDIT_MS = 3 * 60 * 1000;

const figures = {};
let dev;
let browser;
let page;
let problems;

/** A free loopback port, for the site and for the reload socket. */
function freePort() {
  return new Promise((resolvePort) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** The project as a user has it: every file git tracks or would track, none it ignores. */
function copyProject() {
  rmSync(SCRATCH, { recursive: true, force: true });
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(listed.status, 0, listed.stderr);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const to = join(PROJECT, file);
    mkdirSync(dirname(to), { recursive: true });
    cpSync(join(repoRoot, file), to);
  }
  cpSync(resolve(repoRoot, 'end2end/fixtures/content'), CONTENT, { recursive: true });
}

/** `cargo xtask dev` in the copy, with everything it prints kept in `output`. */
async function startDev() {
  const [sitePort, reloadPort] = [await freePort(), await freePort()];
  const child = spawn(XTASK, ['dev'], {
    cwd: PROJECT,
    // Its own process group: the test can check that nothing of it is left.
    detached: true,
    env: {
      ...process.env,
      LEPTOS_SITE_ADDR: `127.0.0.1:${sitePort}`,
      LEPTOS_RELOAD_PORT: String(reloadPort),
      CONTENT_DIR: CONTENT,
      // The dev builds' dependencies are shared with the project's own `make dev`.
      CARGO_TARGET_DIR: resolve(repoRoot, 'target'),
      DEMO_LATENCY_MS: '0', // @demo
      RUST_LOG: 'warn,server=info',
      NO_COLOR: '1',
      CARGO_TERM_COLOR: 'never',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const state = { child, url: `http://127.0.0.1:${sitePort}`, output: '', waiters: [] };
  const onData = (chunk) => {
    state.output += chunk;
    state.waiters = state.waiters.filter((waiter) => !waiter());
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return state;
}

/** Resolves when the output after `from` matches `pattern`. */
function printed(pattern, from, timeout) {
  return new Promise((resolveMatch, reject) => {
    const timer = setTimeout(() => reject(new Error(`make dev never printed ${pattern}:\n${dev.output.slice(-4000)}`)), timeout);
    const check = () => {
      const match = dev.output.slice(from).match(pattern);
      if (match) {
        clearTimeout(timer);
        resolveMatch(match);
      }
      return Boolean(match);
    };
    if (!check()) dev.waiters.push(check);
  });
}

/** Edits a file of the copy, and returns when it was saved. */
function edit(file, from, to) {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${file} holds ${from}`);
  writeFileSync(file, text.replace(from, to));
  return performance.now();
}

/** Waits until `check` holds in the open page, across the reloads it may go through. */
async function pageShows(check, arg, timeout) {
  const deadline = performance.now() + timeout;
  for (;;) {
    try {
      if (await page.evaluate(check, arg)) return;
    } catch {
      // the page is between two documents: ask the next one
    }
    if (performance.now() > deadline) throw new Error(`the page never showed it:\n${dev.output.slice(-4000)}`);
    await page.waitForTimeout(25);
  }
}

/** Waits for the open page to connect to the reload socket, so that no reload is missed. */
async function connected(from) {
  await printed(/a page connected to the reload socket/, from, 30000);
}

before(async () => {
  copyProject();
  const started = performance.now();
  dev = await startDev();
  await printed(/dev: .* serving http/, 0, FIRST_ROUND_MS);
  figures['first round (builds, prerender, start)'] = performance.now() - started;
  browser = await launchBrowser();
  ({ page, problems } = await openPage(browser));
  const from = dev.output.length;
  await page.goto(`${dev.url}/posts/caching-pages`);
  await connected(from);
}, { timeout: FIRST_ROUND_MS + 60000 });

after(async () => {
  await browser?.close();
  if (dev && dev.child.exitCode === null) {
    // The test failed before Ctrl-C: stop it the same way, and wait.
    const exited = new Promise((done) => dev.child.once('exit', done));
    process.kill(dev.child.pid, 'SIGINT');
    await exited;
  }
  const lines = Object.entries(figures).map(([edit, ms]) => `| ${edit} | ${(ms / 1000).toFixed(2)} s |`);
  console.log(`\nmake dev, from a save to the open page showing it:\n| edit | time |\n|---|---:|\n${lines.join('\n')}`);
  mkdirSync(resolve(repoRoot, 'target/bench'), { recursive: true });
  writeFileSync(resolve(repoRoot, 'target/bench/dev-loop.json'), JSON.stringify(figures, null, 2));
  forgetTheCopysCrates();
});

/**
 * The copy's crates have the project's names, so cargo gives their builds the
 * same files and fingerprints under the shared target dir, and a fingerprint
 * checks the sources' times by their paths within the package: the project's
 * own `make dev` would find the copy's build (with the test's edits) fresh.
 * Dropping those crates' fingerprints makes it build its own; the dependencies
 * stay shared.
 */
function forgetTheCopysCrates() {
  const metadata = spawnSync('cargo', ['metadata', '--no-deps', '--format-version=1'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(metadata.status, 0, metadata.stderr);
  const crates = JSON.parse(metadata.stdout).packages.map((pkg) => pkg.name);
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      if (entry.name !== '.fingerprint') {
        visit(path);
        continue;
      }
      for (const unit of readdirSync(path)) {
        if (crates.some((name) => unit.startsWith(`${name}-`))) rmSync(join(path, unit), { recursive: true, force: true });
      }
    }
  };
  if (existsSync(resolve(repoRoot, 'target/dev'))) visit(resolve(repoRoot, 'target/dev'));
}

test('a stylesheet edit changes the open page without a navigation', { timeout: EDIT_MS }, async () => {
  await page.evaluate(() => { window.__sameDocument = true; });
  const saved = edit(join(PROJECT, 'style/main.css'), '/*', 'body { outline: 3px solid rgb(1, 2, 3); }\n/*');
  await pageShows(() => getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)', null, EDIT_MS);
  figures['stylesheet'] = performance.now() - saved;
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the stylesheet was swapped in place');
});

test("a post's new title reaches the open page", { timeout: EDIT_MS }, async () => {
  const from = dev.output.length;
  const saved = edit(join(CONTENT, 'posts/caching-pages.md'), 'title: Caching a page', 'title: Caching a whole page');
  await pageShows(() => document.querySelector('h1')?.textContent.includes('Caching a whole page'), null, EDIT_MS);
  figures['post'] = performance.now() - saved;
  await connected(from);
});

const POST_PAGE = join(PROJECT, 'app/src/pages/post.rs');
const metaShows = (text) => pageShows((t) => document.querySelector('.post-meta')?.textContent.includes(t), text, EDIT_MS);

test('a string edited in a component reaches the open page', { timeout: EDIT_MS }, async () => {
  const from = dev.output.length;
  const saved = edit(POST_PAGE, '" min read"', '" minutes to read"');
  await metaShows('minutes to read');
  figures['component'] = performance.now() - saved;
  await connected(from);
  const round = (await printed(/dev: rebuilt the server and the bundles in .*/, from, 1000))[0];
  console.log(round);
});

test('a syntax error keeps the last good page serving and names the file and line; the fix comes through', { timeout: 2 * EDIT_MS }, async () => {
  let from = dev.output.length;
  const good = readFileSync(POST_PAGE, 'utf8');
  const brokenLine = good.split('\n').length;
  writeFileSync(POST_PAGE, `${good}const BROKEN: u8 = ;\n`);
  await printed(/still serving the last good build/, from, EDIT_MS);
  assert.match(dev.output.slice(from), new RegExp(`app/src/pages/post\\.rs:${brokenLine}:`), 'the error names the file and line');
  const served = await page.request.get(`${dev.url}/posts/caching-pages`);
  assert.equal(served.status(), 200);
  assert.match(await served.text(), /minutes to read/, 'the last good build still serves');

  from = dev.output.length;
  writeFileSync(POST_PAGE, good.replace('" minutes to read"', '" min. to read"'));
  const saved = performance.now();
  await metaShows('min. to read');
  figures['fix after a syntax error'] = performance.now() - saved;
  await connected(from);
  assert.deepEqual(problems, [], 'no console error or failed hydration along the way');
});

test('Ctrl-C stops everything make dev started', { timeout: 60000 }, async () => {
  const exited = new Promise((done) => dev.child.once('exit', done));
  process.kill(dev.child.pid, 'SIGINT');
  await exited;
  assert.match(dev.output, /dev: stopped/);
  assert.deepEqual(processesIn(PROJECT), [], 'no process it started (the server, a build) is left');
  await assert.rejects(fetch(dev.url), 'the server is gone');
});

/** The processes working in `dir`: what `make dev` starts runs in the project. */
function processesIn(dir) {
  return readdirSync('/proc').filter((pid) => /^\d+$/.test(pid)).filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/cwd`).startsWith(dir);
    } catch {
      return false; // gone meanwhile, or not ours to read
    }
  }).map((pid) => `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`);
}
