// The site root is a static export: a plain file server, with no application
// server behind it, serves /posts/ and the post pages, and they hydrate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fixtureSite, launchBrowser, openPage, waitForClientMode } from '../support/harness.js';

const { site, postCount } = fixtureSite();

let fileServer;
let baseUrl;
let browser;

before(async () => {
  fileServer = spawn('python3', ['-u', '-m', 'http.server', '--bind', '127.0.0.1', '0', '--directory', site], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  baseUrl = await new Promise((resolveUrl, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no banner from http.server: ${output}`)), 10000);
    fileServer.stdout.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/port (\d+)/);
      if (match) {
        clearTimeout(timer);
        resolveUrl(`http://127.0.0.1:${match[1]}`);
      }
    });
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  fileServer?.kill();
});

test('/posts/ from a plain file server hydrates, and its tag filter works', async () => {
  const { page, problems } = await openPage(browser);
  await page.goto(`${baseUrl}/posts/`);
  await waitForClientMode(page, 'hydrated');
  assert.equal(await page.getAttribute('html', 'data-render-strategy'), 'ssg');
  const total = await page.locator('[data-post-slug]').count();
  assert.equal(total, postCount, 'every post is in the file');

  const tag = await page.getAttribute('[data-tag-filter]', 'data-tag-filter');
  await page.click(`[data-tag-filter="${tag}"]`);
  await page.waitForFunction((n) => document.querySelectorAll('[data-post-slug]:not([hidden])').length < n, total);
  const tagsShown = await page.$$eval('.post-card:not([hidden]) .tags', (lists) => lists.map((l) => l.textContent));
  assert.ok(tagsShown.every((text) => text.includes(`#${tag}`)), `every post shown is tagged ${tag}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a post page from the file server hydrates without errors', async () => {
  const { page, problems } = await openPage(browser, { noAppServer: true });
  await page.goto(`${baseUrl}/posts/`);
  const href = await page.getAttribute('[data-post-slug] a', 'href');
  await page.goto(`${baseUrl}${href}/`);
  await waitForClientMode(page, 'hydrated');
  assert.ok(await page.locator('article.post .post-body').count() === 1);
  assert.deepEqual(problems, []);
  await page.close();
});
