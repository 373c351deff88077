// The islands bundle hydrates server-rendered pages, in real Chromium, against
// the release build.
// @demo-begin
// The CSR bundle client-renders /csr.
// @demo-end
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, openPage, waitForClientMode, checkTagFilter, outputName } from '../support/harness.js';

const live = serverAndBrowser();

async function apiPosts() {
  const response = await fetch(`${live.server().url}/api/posts`);
  return response.json();
}

// A list page: the demo's SSR list, or the blog's prerendered one.
const [LIST, STRATEGY] = ['/ssr', 'ssr']; // @demo
// @minimal: const [LIST, STRATEGY] = ['/posts', 'ssg'];

test(`${LIST} hydrates, and a tag click filters the list without a navigation`, async () => {
  const posts = await apiPosts();
  const { page, problems } = await openPage(live.browser());
  await page.goto(`${live.server().url}${LIST}`);
  await waitForClientMode(page, 'hydrated');
  assert.equal(await page.getAttribute('html', 'data-render-strategy'), STRATEGY);
  await page.evaluate(() => { window.sameDocument = true; });
  assert.equal(await page.locator('[data-post-slug]').count(), posts.length);
  await checkTagFilter(page, posts);
  assert.equal(await page.evaluate(() => window.sameDocument), true, 'the same document: no navigation');
  assert.deepEqual(problems, []);
  await page.close();
});

// @demo-begin
test('/csr renders the list in the browser from /api/posts', async () => {
  const posts = await apiPosts();
  const { page, problems } = await openPage(live.browser());
  const response = await page.goto(`${live.server().url}/csr`);
  assert.ok(!(await response.text()).includes('data-post-slug'), 'the server sent no posts');
  await waitForClientMode(page, 'client-rendered');
  await page.waitForSelector('[data-fetched-at]');
  assert.equal(await page.locator('[data-post-slug]').count(), posts.length);
  const shell = await page.getAttribute('[data-generated-at]', 'data-generated-at');
  const fetched = await page.getAttribute('[data-fetched-at]', 'data-fetched-at');
  assert.ok(Date.parse(fetched) >= Date.parse(shell), 'the data arrived after the shell was made');
  await checkTagFilter(page, posts);
  assert.deepEqual(problems, []);
  await page.close();
});
// @demo-end

test('no route logs a hydration mismatch or any other console error', async () => {
  const [first] = await apiPosts();
  const routes = [
    ['/', 'hydrated', false],
    ['/ssr', 'hydrated', false], // @demo
    ['/ssg', 'hydrated', false], // @demo
    ['/isr', 'hydrated', false], // @demo
    ['/stream', 'hydrated', false], // @demo
    ['/ppr', 'hydrated', false], // @demo
    ['/csr', 'client-rendered', false], // @demo
    [`/posts/${first.slug}`, 'hydrated', false],
    // A miss under /posts is the build's static 404.html, which loads no bundle.
    ['/posts/no-such-post', null, true],
    ['/no/such/page', 'hydrated', true],
  ];
  for (const [path, mode, expectedNotFound] of routes) {
    const { page, problems } = await openPage(live.browser(), { expectedNotFound });
    await page.goto(`${live.server().url}${path}`);
    if (mode) {
      await waitForClientMode(page, mode);
    } else {
      await page.waitForLoadState('load');
      assert.equal(await page.getAttribute('html', 'data-client-mode'), null, `${path} stays static`);
    }
    // Give late effects (resources, the router) a moment to complain.
    await page.waitForLoadState('networkidle');
    assert.deepEqual(problems, [], `console problems on ${path}`);
    await page.close();
  }
});

test('each page loads only the bundle it needs, brotli-compressed', async () => {
  const [first] = await apiPosts();
  const routes = [
    ['/', 'hydrated', outputName],
    ['/ssg/', 'hydrated', outputName], // @demo
    ['/ssr', 'hydrated', outputName], // @demo
    ['/stream', 'hydrated', outputName], // @demo
    ['/isr', 'hydrated', outputName], // @demo
    ['/ppr', 'hydrated', outputName], // @demo
    [`/posts/${first.slug}`, 'hydrated', outputName],
    ['/csr', 'client-rendered', `${outputName}-csr`], // @demo
  ];
  for (const [path, mode, bundle] of routes) {
    const { page, problems } = await openPage(live.browser());
    const requested = [];
    const encodings = [];
    page.on('response', (response) => {
      const file = new URL(response.url()).pathname.match(/^\/pkg\/(.+\.(?:js|wasm))$/);
      if (!file) return;
      requested.push(file[1]);
      encodings.push(response.headers()['content-encoding']);
    });
    await page.goto(`${live.server().url}${path}`);
    await waitForClientMode(page, mode);
    await page.waitForLoadState('networkidle');
    assert.deepEqual([...new Set(requested)].sort(), [`${bundle}.js`, `${bundle}.wasm`], `${path} loaded ${requested}`);
    assert.deepEqual([...new Set(encodings)], ['br'], `${path}: the bundle arrives as the build's brotli files`);
    assert.deepEqual(problems, [], `console problems on ${path}`);
    await page.close();
  }
});
