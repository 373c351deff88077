// @demo-file: the demo's routes
// /stream in Chromium: skeletons first, then each hole's content; it hydrates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, openPage, waitForClientMode, checkTagFilter, checkHolesKeepTheirSpace } from '../support/harness.js';

const live = serverAndBrowser({ DEMO_LATENCY_MS: '400' });

test('/stream shows skeletons, then the holes, then hydrates with a working filter', async () => {
  const { page, problems } = await openPage(live.browser());
  await page.goto(`${live.server().url}/stream`, { waitUntil: 'commit' });
  await page.waitForSelector('[data-post-slug]');
  assert.ok(await page.locator('[data-hole-skeleton]').count() >= 1, 'skeletons show while the holes load');

  await page.waitForSelector('[data-hole-ready="trending"]');
  await page.waitForSelector('[data-hole-ready="most-viewed-today"]');
  assert.equal(await page.locator('[data-hole-skeleton]').count(), 0, 'no skeleton is left');
  await waitForClientMode(page, 'hydrated');
  assert.equal(await page.locator('.hole [data-generated-at]').count(), 2, 'each hole has its own stamp');

  await checkTagFilter(page, await (await fetch(`${live.server().url}/api/posts`)).json());
  assert.equal(await page.locator('[data-hole-ready]').count(), 2, 'the holes keep their content after hydration');
  await page.waitForLoadState('networkidle');
  assert.deepEqual(problems, []);
  await page.close();
});

test('opening a post records a view that the trending hole then counts', async () => {
  const posts = await (await fetch(`${live.server().url}/api/posts`)).json();
  const slug = posts[posts.length - 1].slug;
  const { page, problems } = await openPage(live.browser());
  for (let i = 0; i < 3; i++) {
    const recorded = page.waitForResponse((r) => r.url().endsWith('/api/views') && r.status() === 200);
    await page.goto(`${live.server().url}/posts/${slug}`);
    await waitForClientMode(page, 'hydrated');
    await recorded;
  }
  await page.goto(`${live.server().url}/stream`);
  await page.waitForSelector('[data-hole-ready="trending"]');
  const top = await page.getAttribute('[data-hole-ready="trending"] [data-leaderboard-slug]', 'data-leaderboard-slug');
  assert.equal(top, slug, 'the post with the most views this week is first');
  assert.deepEqual(problems, []);
  await page.close();
});

test("filling /stream's holes moves nothing below them", async () => {
  await checkHolesKeepTheirSpace(live.browser(), `${live.server().url}/stream`);
});
