// Every page in Chromium: one h1, the landmarks, a skip link that the keyboard
// reaches first, text that meets WCAG AA contrast, and a tag filter that the
// keyboard can operate, with a visible focus ring.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, openPage, waitForClientMode } from '../support/harness.js';

const live = serverAndBrowser();

/** The pages to check, each with the mode the bundle leaves it in (null: no bundle). */
async function pages() {
  const [first] = await (await fetch(`${live.server().url}/api/posts`)).json();
  return [
    ['/', 'hydrated'],
    ['/compare', 'hydrated'], // @demo
    ['/ssg', 'hydrated'], // @demo
    ['/ssr', 'hydrated'], // @demo
    ['/stream', 'hydrated'], // @demo
    ['/csr', 'client-rendered'], // @demo
    ['/isr', 'hydrated'], // @demo
    ['/ppr', 'hydrated'], // @demo
    ['/posts', 'hydrated'],
    [`/posts/${first.slug}`, 'hydrated'],
    [`/tags/${first.tags[0]}`, 'hydrated'],
    ['/no/such/page', 'hydrated'],
  ];
}

/**
 * Runs in the page: every visible text whose contrast with what is behind it
 * is under WCAG AA (4.5:1, or 3:1 for large text), as "text: ratio".
 */
function lowContrastTexts() {
  const parse = (value) => {
    const [r, g, b, a = 1] = value.match(/[\d.]+/g).map(Number);
    return { r, g, b, a };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const background = (element) => {
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
      const color = parse(getComputedStyle(node).backgroundColor);
      if (color.a > 0) layers.push(color);
      if (color.a === 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), { r: 255, g: 255, b: 255, a: 1 });
  };
  const luminance = ({ r, g, b }) => {
    const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const problems = [];
  for (const element of document.querySelectorAll('body *')) {
    const ownText = [...element.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim();
    if (!ownText || element.getClientRects().length === 0) continue;
    const style = getComputedStyle(element);
    if (style.visibility === 'hidden' || element.closest('[hidden], noscript, script, style')) continue;
    const back = background(element);
    const text = over(parse(style.color), back);
    const [light, dark] = [luminance(text), luminance(back)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push(`${ownText.slice(0, 40)} (${element.tagName.toLowerCase()}.${element.className}): ${ratio.toFixed(2)}`);
  }
  return problems;
}

test('every page has one h1, its landmarks, a skip link first, and text in AA contrast', async () => {
  for (const [path, mode] of await pages()) {
    const { page, problems } = await openPage(live.browser(), { expectedNotFound: path === '/no/such/page' });
    await page.goto(`${live.server().url}${path}`);
    await waitForClientMode(page, mode);
    assert.equal(await page.locator('h1').count(), 1, `${path}: one h1`);
    for (const landmark of ['header', 'nav', 'main#main', 'footer']) {
      assert.ok(await page.locator(landmark).count() >= 1, `${path}: a ${landmark}`);
    }
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link', `${path}: the skip link is the first stop`);
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => location.hash), '#main', `${path}: it goes to the content`);
    assert.deepEqual(await page.evaluate(lowContrastTexts), [], `${path}: text under AA contrast`);
    assert.deepEqual(problems, [], path);
    await page.close();
  }
});

test('the tag filter works from the keyboard, with a visible focus ring', async () => {
  const { page, problems } = await openPage(live.browser());
  await page.goto(`${live.server().url}/posts`);
  await waitForClientMode(page, 'hydrated');
  const posts = await page.locator('[data-post-slug]').count();
  const tag = await page.getAttribute('[data-tag-filter]', 'data-tag-filter');
  const tagged = await page.locator(`[data-post-slug]:has([href="/tags/${tag}"])`).count();
  assert.ok(tagged > 0 && tagged < posts, 'the first tag filters some posts, not all');

  // Tab from the top until the first tag button has the focus.
  for (let stops = 0; ; stops += 1) {
    assert.ok(stops < 60, 'the tag button is reachable with Tab');
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement.hasAttribute('data-tag-filter'))) break;
  }
  const ring = await page.evaluate(() => {
    const style = getComputedStyle(document.activeElement);
    return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  });
  assert.ok(ring.style !== 'none' && ring.width >= 2, `a visible focus ring: ${JSON.stringify(ring)}`);

  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => document.querySelectorAll('[data-post-slug]:not([hidden])').length === n, tagged);
  assert.equal(await page.getAttribute(`[data-tag-filter="${tag}"]`, 'aria-pressed'), 'true');

  await page.keyboard.down('Shift');
  await page.keyboard.press('Tab');
  await page.keyboard.up('Shift');
  assert.equal(await page.evaluate(() => document.activeElement.hasAttribute('data-tag-filter-clear')), true, '"All" is one step back');
  await page.keyboard.press('Space');
  await page.waitForFunction((n) => document.querySelectorAll('[data-post-slug]:not([hidden])').length === n, posts);
  assert.deepEqual(problems, []);
  await page.close();
});
