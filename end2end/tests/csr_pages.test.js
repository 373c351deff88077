// @demo-file: the demo's routes
// /csr a page at a time, in Chromium: while the posts load, a placeholder holds
// the room of a full page, so the list takes its place without moving what
// follows; the pagination's links lead to the older posts, rendered the same way.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverAndBrowser, fixtureSite, openPage, waitForClientMode } from '../support/harness.js';

/** Posts newer than the fixtures, enough to fill the first page and spill onto a second. */
function newerPosts(count) {
  const dir = mkdtempSync(join(tmpdir(), 'end2end-posts-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (let n = 1; n <= count; n += 1) {
    const day = String(n).padStart(2, '0');
    writeFileSync(join(dir, `newer-${day}.md`), [
      '---',
      `title: A newer post, number ${n}`,
      `slug: newer-${day}`,
      `date: 2027-01-${day}`,
      'author: Test Fixture',
      'tags: [archive]',
      'excerpt: One of the posts that fill the first page.',
      '---',
      `Body ${n}.`,
      '',
    ].join('\n'));
  }
  return dir;
}

const POSTS_PER_PAGE = 10;
const site = fixtureSite([newerPosts(POSTS_PER_PAGE + 2)]);
const live = serverAndBrowser({}, site);

test("the placeholder holds the list's room until the posts arrive", async () => {
  const { page, problems } = await openPage(live.browser());
  // Hold the API's answer until the placeholder has been measured.
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  await page.route('**/api/posts/page*', async (route) => { await released; await route.continue(); });
  const measure = () => page.evaluate(() => {
    const list = document.querySelector('.posts').getBoundingClientRect();
    return { top: list.top, height: list.height };
  });

  await page.goto(`${live.server().url}/csr`);
  await page.waitForSelector('[data-posts-placeholder]');
  assert.equal(await page.locator('[data-posts-placeholder] .post-card').count(), POSTS_PER_PAGE);
  const loading = await measure();
  release();
  await page.waitForSelector('[data-fetched-at]');
  const filled = await measure();

  assert.equal(await page.locator('[data-post-slug]').count(), POSTS_PER_PAGE);
  assert.equal(filled.top, loading.top, 'the list starts where the placeholder did');
  // One-line cards, as these posts are, fill exactly the placeholder's room.
  assert.ok(Math.abs(filled.height - loading.height) <= 1, `the list is ${filled.height}px tall, its placeholder ${loading.height}px`);
  assert.deepEqual(problems, []);
  await page.close();
});

test("/csr's older posts are one link away, client-rendered too", async () => {
  const { page, problems } = await openPage(live.browser());
  await page.goto(`${live.server().url}/csr`);
  await waitForClientMode(page, 'client-rendered');
  await page.waitForSelector('[data-fetched-at]');
  assert.equal(await page.locator('a[rel="prev"]').count(), 0, 'the first page has no newer posts');
  const firstPage = await page.$$eval('[data-post-slug]', (cards) => cards.map((card) => card.dataset.postSlug));

  await page.click('a[rel="next"]');
  await page.waitForURL('**/csr/page/2');
  await waitForClientMode(page, 'client-rendered');
  await page.waitForSelector('[data-fetched-at]');
  const secondPage = await page.$$eval('[data-post-slug]', (cards) => cards.map((card) => card.dataset.postSlug));
  assert.equal(firstPage.length + secondPage.length, site.postCount, 'every post is on one of the two pages');
  assert.deepEqual(firstPage.filter((slug) => secondPage.includes(slug)), [], 'no post is on both');
  assert.equal(await page.getAttribute('a[rel="prev"]', 'href'), '/csr');
  assert.equal(await page.locator('a[rel="next"]').count(), 0, 'the last page has no older posts');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a /csr page past the last is a 404 before any bundle loads', async () => {
  const { page, problems } = await openPage(live.browser(), { expectedNotFound: true });
  const response = await page.goto(`${live.server().url}/csr/page/3`);
  assert.equal(response.status(), 404);
  await page.waitForLoadState('load');
  assert.equal(await page.getAttribute('html', 'data-client-mode'), null, 'the 404 page loads no bundle');
  assert.deepEqual(problems, []);
  await page.close();
});
