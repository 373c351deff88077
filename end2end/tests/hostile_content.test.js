// Posts whose every field tries to run script (end2end/fixtures/hostile-content),
// added to the fixture posts: on every route, in Chromium, none of it runs. A sentinel,
// window.__pwned, would be set by any payload that executed; a CSP refusal would
// show as a console error; both must stay absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { serverAndBrowser, fixtureSite, openPage, waitForClientMode, repoRoot } from '../support/harness.js';

// A site root with the built bundle, prerendered from the fixture posts plus the corpus.
const live = serverAndBrowser({}, fixtureSite([resolve(repoRoot, 'end2end/fixtures/hostile-content/posts')]));
const HOSTILE = ['hostile-markup', 'long-unicode']; // @demo

test('hostile posts stay inert on every route, in Chromium', async () => {
  const url = live.server().url;
  // @demo-begin
  for (const slug of HOSTILE) {
    const response = await fetch(`${url}/api/views`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `slug=${slug}`,
    });
    assert.equal(response.status, 200, 'a view is recorded, so the holes list the hostile posts');
  }
  // @demo-end
  const routes = [
    ['/ssg', 'hydrated'], ['/ssr', 'hydrated'], ['/stream', 'hydrated'], ['/csr', 'client-rendered'], // @demo
    ['/isr', 'hydrated'], ['/ppr', 'hydrated'], // @demo
    ['/posts', 'hydrated'], ['/posts/hostile-markup', 'hydrated'], ['/posts/long-unicode', 'hydrated'],
  ];
  for (const [path, mode] of routes) {
    const { page, problems } = await openPage(live.browser());
    const dialogs = [];
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.dismiss(); });
    await page.goto(`${url}${path}`);
    await waitForClientMode(page, mode);
    // @demo-begin
    if (path === '/stream' || path === '/ppr') {
      await page.waitForFunction(() => document.querySelectorAll('[data-hole-ready]').length === 2);
      assert.ok(await page.locator('[data-leaderboard-slug="hostile-markup"]').count() > 0, `${path}: the holes list the hostile post`);
    }
    // @demo-end
    if (!path.startsWith('/posts/')) {
      await page.waitForSelector('[data-post-slug="hostile-markup"]');
    }
    await page.waitForLoadState('networkidle');
    assert.equal(await page.evaluate(() => window.__pwned), undefined, `${path}: a payload ran`);
    assert.deepEqual(dialogs, [], `${path}: no dialog`);
    assert.deepEqual(problems, [], `${path}: no console problem (a CSP refusal would be one)`);
    await page.close();
  }
});

test('the hostile title is shown as text, and its post\'s links go nowhere', async () => {
  const url = live.server().url;
  const { page, problems } = await openPage(live.browser());
  await page.goto(`${url}/posts/hostile-markup`);
  await waitForClientMode(page, 'hydrated');
  const title = await page.title();
  assert.ok(title.startsWith("<script>window.__pwned='title'</script></title><script>"), `document.title is the literal text: ${title}`);
  assert.ok((await page.textContent('article h1')).includes('</title><script>'), 'the heading shows it as text');
  const hrefs = await page.$$eval('.post-body a', (links) => links.map((a) => a.getAttribute('href')));
  assert.ok(hrefs.length >= 3 && hrefs.every((href) => href === '#'), `script links lost their target: ${hrefs}`);
  for (const link of await page.$$('.post-body a')) await link.click();
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'clicking the links ran nothing');
  assert.deepEqual(problems, []);
  await page.close();
});
