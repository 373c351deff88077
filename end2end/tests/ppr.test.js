// @demo-file: the demo's routes
// /ppr in Chromium: the prerendered shell with skeletons, then the holes from
// the same response; it hydrates, and the holes keep their content.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, openPage, waitForClientMode, checkTagFilter, checkHolesKeepTheirSpace } from '../support/harness.js';

const live = serverAndBrowser({ DEMO_LATENCY_MS: '400' });

test('/ppr shows skeletons, then the holes, hydrates, and keeps the filter working', async () => {
  const { page, problems } = await openPage(live.browser());
  await page.goto(`${live.server().url}/ppr`, { waitUntil: 'commit' });
  await page.waitForSelector('[data-post-slug]');
  assert.ok(await page.locator('[data-ppr-hole] [data-hole-skeleton]').count() >= 1, 'skeletons first');
  const shellStamp = await page.getAttribute('.page-stamp [data-generated-at]', 'data-generated-at');

  await page.waitForSelector('[data-ppr-hole="trending"] [data-hole-ready]');
  await page.waitForSelector('[data-ppr-hole="most-viewed-today"] [data-hole-ready]');
  await waitForClientMode(page, 'hydrated');
  assert.equal(await page.getAttribute('html', 'data-render-strategy'), 'ppr');
  assert.equal(await page.locator('[data-hole-skeleton]').count(), 0, 'no flash back to a skeleton');
  const holeStamps = await page.$$eval('[data-ppr-hole] [data-generated-at]', (els) => els.map((e) => e.dataset.generatedAt));
  assert.equal(holeStamps.length, 2);
  assert.ok(holeStamps.every((stamp) => Date.parse(stamp) > Date.parse(shellStamp)), 'the holes are younger than the shell');

  await checkTagFilter(page, await (await fetch(`${live.server().url}/api/posts`)).json());
  assert.equal(await page.locator('[data-hole-ready]').count(), 2, 'the holes keep their content after hydration');
  await page.waitForLoadState('networkidle');
  assert.deepEqual(problems, []);
  await page.close();
});

test("filling /ppr's holes moves nothing below them", async () => {
  await checkHolesKeepTheirSpace(live.browser(), `${live.server().url}/ppr`);
});
