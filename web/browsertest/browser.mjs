// Browser test for agora: headless Debian Chromium driven by playwright-core.
//
// A member signs in, asks a question, answers it; on the ask form, under
// the page's real Content-Security-Policy, typing a title like that question
// lists it (similar.js), checked by axe-core with the list shown; she
// switches the interface to Spanish, finds the answer with the header's
// search box (the word highlighted) and opens it; she watches a forum, the
// admin asks there, and her header counts the notification, which she
// reads and marks read; then axe-core checks the main pages (as that
// member, signed out, and as the admin). A moderator creates an event and edits it, then composes a
// report, publishes it and opens its print view (print media), checked by
// axe-core too; the event page, the report page, its print view and its
// PDF are saved to AGORA_BROWSER_SHOTS. Then every main page is
// checked in each of the five languages (en, es, fr, pt, ar), signed in and
// out, in two lanes at once: axe-core, <html lang> and dir (rtl for Arabic,
// with no sideways scrolling at 320 px), and screenshots at 1280 and 390 px.
// A violation of any impact, or any broken step,
// make the script exit non-zero. It also prints each page's weight: the bytes
// of the HTML document plus its style sheets, which must stay under 50 KB.
//
// Usage:
//
//	node browser.mjs BASE_URL [USER PASSWORD [ADMIN ADMIN_PASSWORD]]
//
// Each argument may come from the environment instead: AGORA_BROWSER_BASE_URL,
// AGORA_BROWSER_USER, AGORA_BROWSER_PASSWORD, AGORA_BROWSER_ADMIN,
// AGORA_BROWSER_ADMIN_PASSWORD. AGORA_CHROMIUM overrides /usr/bin/chromium.
//
// Exit codes: 0 all good; 1 violations or a broken step; 2 bad usage;
// 3 the whole run took too long.

import { chromium } from 'playwright-core';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const argv = process.argv.slice(2);

const base = (argv[0] || env.AGORA_BROWSER_BASE_URL || '').replace(/\/+$/, '');
const user = argv[1] || env.AGORA_BROWSER_USER || '';
const password = argv[2] || env.AGORA_BROWSER_PASSWORD || '';
const admin = argv[3] || env.AGORA_BROWSER_ADMIN || '';
const adminPassword = argv[4] || env.AGORA_BROWSER_ADMIN_PASSWORD || '';
// The moderator composes and publishes a report (with the same password as
// the member); screenshots go to AGORA_BROWSER_SHOTS.
const moderator = env.AGORA_BROWSER_MODERATOR || '';
const shots = env.AGORA_BROWSER_SHOTS || '';
// AGORA_BROWSER_IMAGE is a picture the member puts in her answer.
const image = env.AGORA_BROWSER_IMAGE || '';
// AGORA_BROWSER_LANES lists the languages toured and who tours them, lanes
// separated by ";": "priya:en,fr,ar;joao:es,pt".
const lanes = (env.AGORA_BROWSER_LANES || '').split(';').filter(Boolean).map((l) => {
  const [who, langs] = l.split(':');
  return { user: who, langs: (langs || '').split(',').filter(Boolean) };
});
const executablePath = env.AGORA_CHROMIUM || '/usr/bin/chromium';
const axePath = join(here, 'node_modules', 'axe-core', 'axe.min.js');

const TOTAL_MS = 600_000; // the whole run: the flows, then five languages in two lanes on a shared machine
const STEP_MS = 10_000; // any one wait
const NAV_MS = 15_000; // any one navigation
const BUDGET = 50 * 1024; // the page budget: HTML + CSS, before user content

if (!/^https?:\/\/[^/]+$/.test(base) || !user || !password) {
  console.error('usage: node browser.mjs BASE_URL USER PASSWORD [ADMIN ADMIN_PASSWORD] (or AGORA_BROWSER_* variables)');
  process.exit(2);
}
for (const [what, path] of [['chromium', executablePath], ['axe-core (run npm ci)', axePath]]) {
  if (!existsSync(path)) {
    console.error(`missing ${what}: ${path}`);
    process.exit(2);
  }
}

// The flags this machine needs: as root no sandbox; no GPU; and no background
// traffic to Google (the closed network refuses it, noisily). Playwright's
// launch starts Chromium on a fresh, empty user-data-dir of its own and
// removes it on close.
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

let browser;
const deadline = setTimeout(async () => {
  console.error(`FAIL: the browser run took more than ${TOTAL_MS / 1000} s`);
  try { await browser?.close(); } catch { /* exiting anyway */ }
  process.exit(3);
}, TOTAL_MS);

const violations = []; // {page, id, impact, help, helpUrl, targets}
const weights = []; // {page, html, css}
const cssSizes = new Map(); // stylesheet URL -> bytes
const overweight = []; // pages over BUDGET

const t0 = Date.now();
function step(msg) { console.log(`step +${((Date.now() - t0) / 1000).toFixed(1)}s: ${msg}`); }

function fail(msg) { throw new Error(msg); }

async function newContext(lang) {
  // bypassCSP: the app's policy (rightly) forbids scripts, and axe-core is
  // injected as one; the pages themselves are untouched.
  const ctx = await browser.newContext({ bypassCSP: true, locale: lang, extraHTTPHeaders: { 'Accept-Language': lang } });
  ctx.setDefaultTimeout(STEP_MS);
  ctx.setDefaultNavigationTimeout(NAV_MS);
  return ctx;
}

// goto opens path and checks the status; it returns the response.
async function goto(page, path, want = 200) {
  const resp = await page.goto(base + path, { waitUntil: 'load' });
  if (!resp) fail(`${path}: no response`);
  if (resp.status() !== want) fail(`${path}: HTTP ${resp.status()}, want ${want}`);
  return resp;
}

async function signIn(page, username, pass) {
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(pass);
  await Promise.all([
    page.waitForURL((u) => u.pathname !== '/login', { waitUntil: 'load' }),
    page.locator('main form button[type=submit]').click(),
  ]);
  const who = page.locator(`header.site nav a[href="/u/${encodeURIComponent(username)}"]`);
  await who.waitFor({ state: 'visible' }).catch(() => fail(`signed in as ${username}, but the header shows no link to /u/${username} (on ${page.url()})`));
}

// weigh records the bytes of the page's HTML and of its style sheets.
async function weigh(name, page, resp) {
  const html = (await resp.body()).length;
  const hrefs = await page.$$eval('link[rel~="stylesheet"]', (ls) => ls.map((l) => l.href));
  let css = 0;
  for (const href of hrefs) {
    if (!cssSizes.has(href)) {
      const r = await page.context().request.get(href, { timeout: STEP_MS });
      if (!r.ok()) fail(`${name}: style sheet ${href}: HTTP ${r.status()}`);
      cssSizes.set(href, (await r.body()).length);
    }
    css += cssSizes.get(href);
  }
  weights.push({ page: name, html, css });
  if (html + css > BUDGET) overweight.push(`${name}: ${html + css} bytes, over the ${BUDGET}-byte budget`);
}

// audit opens path, weighs it and runs axe-core on it.
async function audit(page, name, path) {
  step(`axe: ${name} (${path})`);
  const resp = await goto(page, path);
  await weigh(name, page, resp);
  await page.addScriptTag({ path: axePath });
  await axe(page, `${name} ${path}`);
}

// axe runs axe-core, already in the page, on the page as it is now and
// records its violations under name.
async function axe(page, name) {
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  // Every violation counts, whatever its impact (the bar: 0).
  for (const v of result.violations) {
    violations.push({
      page: name, id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      targets: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary, html: n.html })),
    });
  }
}

async function run() {
  browser = await chromium.launch({ executablePath, headless: true, args: FLAGS, timeout: 30_000 });
  console.log(`browser: Chromium ${browser.version()} at ${executablePath}`);

  // --- the member's flow, in English ---
  const ctx = await newContext('en');
  const page = await ctx.newPage();
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  step('open the home page');
  await goto(page, '/');
  if (await page.locator('html').getAttribute('lang') !== 'en') fail('home: <html lang> is not "en"');

  step(`sign in as ${user}`);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/login', { waitUntil: 'load' }),
    page.locator('header.site a[href^="/login"]').click(),
  ]);
  await signIn(page, user, password);

  step('open the forum digitalisation');
  await goto(page, '/f/digitalisation');

  step('click "Ask a question"');
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/f/digitalisation/ask', { waitUntil: 'load' }),
    page.getByRole('link', { name: 'Ask a question' }).click(),
  ]);

  const stamp = Date.now().toString(36);
  const title = `How do you open street data to residents? ${stamp}`;
  step(`ask "${title}"`);
  await page.locator('#title').fill(title);
  await page.locator('#body').fill('We publish **street works** as open data.\n\n- What formats work for you?\n- Who maintains them?');
  await page.locator('#language').selectOption('en');
  await Promise.all([
    page.waitForURL((u) => /^\/t\/[^/]+$/.test(u.pathname), { waitUntil: 'load' }),
    page.locator('main form.compose button[type=submit]:not([name=similar]):not([name=preview])').click(),
  ]).catch((e) => fail(`asking did not land on a thread page (now on ${page.url()}): ${e.message.split('\n')[0]}`));
  const threadPath = new URL(page.url()).pathname;
  const h1 = (await page.locator('main h1').first().textContent()) || '';
  if (!h1.includes(title)) fail(`thread page ${threadPath}: <h1> is "${h1.trim()}", want the title`);
  console.log(`  thread: ${threadPath}`);

  // A second reader has the thread open (its own context, with the page's
  // real Content-Security-Policy): the answer must appear there live.
  step('a second reader opens the thread (live answers, CSP enforced)');
  const watcher = await browser.newContext({ locale: 'en', extraHTTPHeaders: { 'Accept-Language': 'en' } });
  watcher.setDefaultTimeout(STEP_MS);
  watcher.setDefaultNavigationTimeout(NAV_MS);
  const watch = await watcher.newPage();
  watch.on('pageerror', (e) => consoleErrors.push(`watcher: ${e}`));
  watch.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`watcher console: ${m.text()}`); });
  const streamOpen = watch.waitForResponse((r) => r.url().endsWith(`${threadPath}/events`) && r.status() === 200);
  await goto(watch, threadPath);
  await streamOpen.catch(() => fail(`the thread page opened no event stream on ${threadPath}/events`));
  await watch.evaluate(() => { window.agoraNotReloaded = true; });

  const answer = `Barcelona publishes them as GeoJSON, updated nightly ${stamp}.`;
  step('answer it, in Spanish');
  await page.locator('main form.compose #body').fill(answer);
  await page.locator('main form.compose #language').selectOption('es');
  const alt = `Map of the streets under works ${stamp}`;
  if (image) {
    step('with an image and its description');
    await page.locator('main form.compose details.images-form summary').click();
    await page.locator('main form.compose #image-1').setInputFiles(image);
    await page.locator('main form.compose #alt-1').fill(alt);
  }
  await Promise.all([
    page.waitForURL((u) => u.pathname === threadPath, { waitUntil: 'load' }),
    page.locator('main form.compose button[type=submit]:not([name=similar]):not([name=preview])').click(),
  ]);
  const posted = page.locator('main article', { hasText: answer });
  await posted.first().waitFor({ state: 'visible' }).catch(() => fail(`the answer does not appear on ${page.url()}`));
  const postLang = await posted.first().locator('.body').getAttribute('lang');
  if (postLang !== 'es') fail(`the answer's body has lang="${postLang}", want "es"`);
  if (image) {
    const img = posted.first().locator(`.images img[alt="${alt}"]`);
    await img.waitFor({ state: 'visible' }).catch(() => fail('the answer does not show its image with its description'));
    await img.scrollIntoViewIfNeeded();
    const loaded = await img.evaluate((el) => el.complete && el.naturalWidth > 0);
    if (!loaded) fail(`the answer's image did not load (${await img.getAttribute('src')})`);
  }

  step('the second reader sees the answer without reloading');
  await watch.locator('main article', { hasText: answer }).first().waitFor({ state: 'visible' })
    .catch(() => fail('the answer did not appear live on the open thread page'));
  if (!(await watch.evaluate(() => window.agoraNotReloaded === true))) fail('the open thread page reloaded');
  const announced = (await watch.locator('#live-status[aria-live="polite"]').textContent()) || '';
  if (!announced.startsWith('New answer from')) fail(`the live region says "${announced}", want "New answer from …"`);
  await watcher.close();

  await similarFlow(threadPath, stamp);

  step('switch the interface to Español');
  await Promise.all([
    page.waitForURL((u) => u.pathname === threadPath, { waitUntil: 'load' }),
    page.locator('header.site form.langs button[name=lang][value=es]').click(),
  ]).catch((e) => fail(`the language switch did not come back to ${threadPath} (now on ${page.url()}): ${e.message.split('\n')[0]}`));
  const lang = await page.locator('html').getAttribute('lang');
  if (lang !== 'es') fail(`after switching, <html lang="${lang}">, want "es"`);
  const forosLink = page.locator('header.site nav a', { hasText: 'Foros' });
  if (await forosLink.count() === 0) fail('after switching, the header has no "Foros" link');
  if (await page.locator('header.site form.langs button[value=es][aria-current="true"]').count() !== 1) {
    fail('after switching, the Español button is not marked aria-current');
  }
  if (!(await page.locator('main article', { hasText: answer }).count())) fail('after switching, the answer is gone');

  // The header's search box (no script needed): the Spanish answer is
  // found by a word typed in another case, with the word highlighted, and
  // the result opens the thread at the answer.
  step('search for "geojson" from the header and open the result');
  await page.locator('header.site form.find input[name=q]').fill('geojson');
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/search', { waitUntil: 'load' }),
    page.locator('header.site form.find button').click(),
  ]).catch((e) => fail(`the header's search did not open /search (now on ${page.url()}): ${e.message.split('\n')[0]}`));
  const hit = page.locator('main ol.results li', { hasText: stamp }).first();
  await hit.waitFor({ state: 'visible' }).catch(() => fail(`the search page does not list the answer ${stamp}`));
  const marked = ((await hit.locator('.snippet mark').allTextContents()) || []).map((m) => m.toLowerCase());
  if (!marked.includes('geojson')) fail(`the result does not highlight "geojson" (marks: ${JSON.stringify(marked)})`);
  if (await hit.locator('.snippet').getAttribute('lang') !== 'es') fail('the Spanish answer\'s snippet is not marked lang="es"');
  await Promise.all([
    page.waitForURL((u) => u.pathname === threadPath, { waitUntil: 'load' }),
    hit.locator('h3 a').click(),
  ]).catch((e) => fail(`the result did not open ${threadPath} (now on ${page.url()}): ${e.message.split('\n')[0]}`));
  if (!new URL(page.url()).hash.startsWith('#p-')) fail(`the result opened ${page.url()}, not the answer's anchor`);

  // --- watching and notifications ---
  step('watch the forum digitalisation');
  await goto(page, '/f/digitalisation');
  await Promise.all([
    page.waitForResponse((r) => r.url() === `${base}/watch` && r.request().method() === 'POST'),
    page.locator('main form.watch button[name=on][value="1"]').click(),
  ]);
  await page.waitForLoadState('load');
  if (new URL(page.url()).pathname !== '/f/digitalisation') fail(`watching did not come back to the forum (now on ${page.url()})`);
  if (await page.locator('main form.watch button[name=on][value="0"]').count() !== 1) {
    fail('after watching, the forum page offers no "stop watching" button');
  }

  let adm;
  let admPage;
  const adminTitle = `Which open data licence do you use? ${stamp}`;
  if (admin && adminPassword) {
    step(`the admin ${admin} asks "${adminTitle}" in the watched forum`);
    adm = await newContext('en');
    admPage = await adm.newPage();
    await goto(admPage, '/login');
    await signIn(admPage, admin, adminPassword);
    await goto(admPage, '/f/digitalisation/ask');
    await admPage.locator('#title').fill(adminTitle);
    await admPage.locator('#body').fill('CC BY or ODbL?');
    await admPage.locator('#language').selectOption('en');
    await Promise.all([
      admPage.waitForURL((u) => /^\/t\/[^/]+$/.test(u.pathname), { waitUntil: 'load' }),
      admPage.locator('main form.compose button[type=submit]:not([name=similar]):not([name=preview])').click(),
    ]);

    step('the member\'s header counts one unread notification');
    const bell = page.locator('header.site a.notifications');
    let said = '';
    for (const until = Date.now() + STEP_MS; Date.now() < until;) {
      await goto(page, '/');
      said = ((await bell.textContent()) || '').trim();
      if (/\(1\s/.test(said)) break;
      await page.waitForTimeout(300);
    }
    if (!/\(1\s/.test(said)) fail(`the header's notifications link says "${said}", want one unread`);

    step('open the notifications page from the header');
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/notifications', { waitUntil: 'load' }),
      bell.click(),
    ]);
    const item = page.locator('main ol.notifications li.unread', { hasText: adminTitle });
    if (await item.count() !== 1) fail(`the notifications page does not list the new question "${adminTitle}" as unread`);
    await audit(page, 'notifications', '/notifications');

    step('mark all as read');
    await Promise.all([
      page.waitForResponse((r) => r.url() === `${base}/notifications/read` && r.request().method() === 'POST'),
      page.locator('main form button[name=all]').click(),
    ]);
    await goto(page, '/notifications');
    if (await page.locator('main ol.notifications li.unread').count() !== 0) fail('after "mark all as read", a notification is still unread');
    const after = ((await bell.textContent()) || '').trim();
    if (/\(\d/.test(after)) fail(`after reading, the header still says "${after}"`);
  }

  // --- axe-core on the main pages ---
  step('axe-core, signed in as the member (Spanish interface)');
  await audit(page, 'settings', '/settings/notifications');
  await audit(page, 'home', '/');
  await audit(page, 'forum', '/f/digitalisation');
  await audit(page, 'thread', threadPath);
  // Deleting one's answer goes through a confirmation page (no JavaScript).
  const deleteHref = await page.locator('main article a.danger').first().getAttribute('href')
    .catch(() => fail(`${threadPath} offers the member no link to delete their answer`));
  await audit(page, 'delete confirmation', deleteHref);
  await audit(page, 'ask', '/f/digitalisation/ask');
  await audit(page, 'profile', `/u/${encodeURIComponent(user)}`);
  await audit(page, 'search', '/search?q=geojson');

  step('axe-core, signed out (English interface)');
  const anon = await newContext('en');
  const anonPage = await anon.newPage();
  await audit(anonPage, 'login', '/login');
  await audit(anonPage, 'forgot password', '/password/forgot');
  await audit(anonPage, 'home (signed out)', '/');
  await anon.close();

  if (admin && adminPassword) {
    step(`axe-core, signed in as the admin ${admin}`);
    await audit(admPage, 'thread (moderation menus)', threadPath);
    await audit(admPage, 'admin', '/admin');
    // Every section the admin menu links to (federation only on a
    // federating node).
    const sections = await admPage.locator('nav.admin-nav a').evaluateAll((as) => as.map((a) => new URL(a.href).pathname));
    if (sections.length < 4) fail(`the admin menu links ${sections.length} sections: ${sections.join(', ')}`);
    for (const path of sections) await audit(admPage, `admin section`, path);
    step('admin sections at 320 px: no sideways scrolling');
    await admPage.setViewportSize({ width: 320, height: 640 });
    for (const path of sections) {
      await goto(admPage, path);
      const width = await admPage.evaluate(() => document.documentElement.scrollWidth);
      if (width > 320) fail(`${path} scrolls sideways at 320 px (${width} px wide)`);
    }
    await adm.close();
  } else {
    console.log('  (no admin credentials: /admin not checked)');
  }
  if (moderator) {
    await eventFlow();
    await reportFlow();
  } else {
    console.log('  (no moderator: the report flow not run)');
  }
  await ctx.close();
  if (lanes.length) {
    // Two lanes at once: a lane's languages one after another, each lane
    // signed in as its own member (the language switch is a member's).
    await Promise.all(lanes.map((lane) => (async () => {
      for (const lang of lane.langs) await languageTour(lang, lane.user, threadPath);
    })()));
  }
  if (consoleErrors.length) fail(`page errors: ${consoleErrors.join('; ')}`);
}

// similarFlow: on the ask form, under the page's real
// Content-Security-Policy, the member types a title like the question she
// asked; similar.js, debounced, lists it under "Questions like yours" (the
// server lists nothing until the form's button is pressed, so the links are
// the script's), and axe-core checks the page with the suggestions shown.
async function similarFlow(threadPath, stamp) {
  step('"Was this asked before?" as a title is typed (similar.js, CSP enforced)');
  const sc = await browser.newContext({ locale: 'en', extraHTTPHeaders: { 'Accept-Language': 'en' } });
  sc.setDefaultTimeout(STEP_MS);
  sc.setDefaultNavigationTimeout(NAV_MS);
  const sp = await sc.newPage();
  const errors = [];
  sp.on('pageerror', (e) => errors.push(String(e)));
  sp.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  await goto(sp, '/login');
  await signIn(sp, user, password);
  await goto(sp, '/f/digitalisation/ask');
  const box = sp.locator('#similar');
  if (await box.count() !== 1) fail('the ask form has no #similar box');
  if (await box.locator('a').count() !== 0) fail('the ask form lists similar questions before a title is typed');
  // The stamp keeps the question among the five most alike on a node
  // with many questions about street data.
  const lookup = sp.waitForResponse((r) => r.url().startsWith(`${base}/search/similar?`));
  await sp.locator('#title').pressSequentially(`Street data for residents ${stamp}`, { delay: 20 });
  const looked = await lookup.catch(() => fail(`typing a title asked /search/similar nothing (page errors: ${errors.join('; ') || 'none'})`));
  if (looked.status() !== 200) fail(`/search/similar: HTTP ${looked.status()}`);
  const links = box.locator('a[href^="/t/"]');
  await links.first().waitFor({ state: 'visible' }).catch(() => fail('typing a title like an existing question shows no links to similar questions'));
  const found = await links.evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), lang: a.lang, text: a.textContent })));
  const mine = found.find((f) => f.href === threadPath);
  if (!mine) fail(`the similar questions ${JSON.stringify(found)} do not include ${threadPath}`);
  if (!mine.text.includes(stamp) || mine.lang !== 'en') fail(`the link to ${threadPath} is ${JSON.stringify(mine)}, want its title and lang="en"`);
  const heading = ((await box.locator('h2').textContent()) || '').trim();
  if (heading !== 'Questions like yours') fail(`the similar questions' heading is "${heading}"`);
  // axe-core goes in through the DevTools protocol, which the page's policy
  // does not govern (a <script> tag of it would be refused).
  step('axe: ask with similar questions shown');
  await sp.evaluate(readFileSync(axePath, 'utf8'));
  await axe(sp, 'ask with similar questions /f/digitalisation/ask');
  if (errors.length) fail(`the ask form's page errors: ${errors.join('; ')}`);
  await sc.close();
}

// languageTour checks the main pages in one interface language, signed
// out then signed in as who: <html lang> and dir, axe-core, screenshots at
// 1280 and 390 px, and for Arabic no sideways scrolling at 320 px.
async function languageTour(lang, who, threadPath) {
  const dir = lang === 'ar' ? 'rtl' : 'ltr';
  const check = async (page, name, path, shot) => {
    await audit(page, `${name} [${lang}]`, path);
    const got = await page.locator('html').evaluate((h) => [h.getAttribute('lang'), h.getAttribute('dir') || 'ltr']);
    if (got[0] !== lang) fail(`${path} in ${lang}: <html lang="${got[0]}">`);
    if (got[1] !== dir) fail(`${path} in ${lang}: <html dir="${got[1]}">, want "${dir}"`);
    if (lang === 'ar') {
      await page.setViewportSize({ width: 320, height: 640 });
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 320) {
        // Name the elements that stick out, innermost last, to find the cause.
        const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
          .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && (r.left < -1 || r.right > 321); })
          .slice(-4).map((el) => `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ').join('.') : ''} (${Math.round(el.getBoundingClientRect().width)} px)`));
        fail(`${path} in Arabic scrolls sideways at 320 px (${width} px wide): ${wide.join(', ')}`);
      }
    }
    if (shots && shot) {
      for (const [w, h] of [[1280, 800], [390, 844]]) {
        await page.setViewportSize({ width: w, height: h });
        await page.screenshot({ path: join(shots, `${lang}-${shot}-${w}.png`), fullPage: true });
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  };
  step(`${lang}: signed out`);
  const out = await newContext(lang);
  const op = await out.newPage();
  await check(op, 'home (signed out)', '/', 'home');
  await check(op, 'forum (signed out)', '/f/digitalisation', 'forum');
  await check(op, 'thread (signed out)', threadPath, 'thread');
  await check(op, 'search (signed out)', '/search?q=geojson', 'search');
  await check(op, 'login', '/login', 'login');
  await check(op, 'good practices', '/good-practices', '');
  await out.close();

  step(`${lang}: signed in as ${who}`);
  const inc = await newContext(lang);
  const ip = await inc.newPage();
  await goto(ip, '/login');
  await signIn(ip, who, password);
  await Promise.all([
    ip.waitForResponse((r) => r.url() === `${base}/language` && r.request().method() === 'POST'),
    ip.locator(`header.site form.langs button[name=lang][value=${lang}]`).click(),
  ]);
  await ip.waitForLoadState('load');
  await check(ip, 'home', '/', 'home-member');
  await check(ip, 'thread', threadPath, 'thread-member');
  await check(ip, 'ask', '/f/digitalisation/ask', 'ask');
  await check(ip, 'profile', `/u/${encodeURIComponent(who)}`, 'profile');
  await check(ip, 'notifications', '/notifications', '');
  await check(ip, 'settings', '/settings/notifications', '');
  await inc.close();
}

// eventFlow: the moderator creates a webinar for the forum from its page,
// opens it (axe-core), says she comes, then edits its title; the event's
// page shows the change and its calendar file is served.
async function eventFlow() {
  step(`sign in as the moderator ${moderator} to create an event`);
  const ec = await newContext('en');
  const ep = await ec.newPage();
  await goto(ep, '/login');
  await signIn(ep, moderator, password);
  await goto(ep, '/f/digitalisation');
  await Promise.all([
    ep.waitForURL((u) => u.pathname === '/f/digitalisation/events/new', { waitUntil: 'load' }),
    ep.getByRole('link', { name: 'New event' }).click(),
  ]).catch((e) => fail(`the forum page has no working "New event" link: ${e.message.split('\n')[0]}`));
  await audit(ep, 'event form', '/f/digitalisation/events/new');
  // A week from now, 15:00 to 16:30 in Madrid's zone: the form takes the
  // organiser's wall-clock time and zone.
  const day = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  // The form's first title is the one it requires: the event's language,
  // by default the moderator's own.
  const lang = await ep.locator('input[name=text_lang]').first().inputValue();
  await ep.locator('#language').selectOption(lang);
  await ep.locator(`#title-${lang}`).fill('Digital inclusion: a webinar of the learning forum');
  await ep.locator(`#description-${lang}`).fill('Cities share how they bring everyone online.');
  await ep.locator('#starts').fill(`${day}T15:00`);
  await ep.locator('#ends').fill(`${day}T16:30`);
  await ep.locator('#time_zone').fill('Europe/Madrid');
  await ep.locator('#online_url').fill('https://meet.example/learning-forum');
  await Promise.all([
    ep.waitForURL((u) => /^\/e\/[^/]+$/.test(u.pathname), { waitUntil: 'load' }),
    ep.getByRole('button', { name: 'Create the event' }).click(),
  ]).catch((e) => fail(`creating the event did not land on its page (now on ${ep.url()}): ${e.message.split('\n')[0]}`));
  const eventPath = new URL(ep.url()).pathname;
  console.log(`  event: ${eventPath}`);
  await audit(ep, 'event', eventPath);
  if (shots) await ep.screenshot({ path: join(shots, 'event.png'), fullPage: true });

  step('say she comes, then edit the title');
  await Promise.all([
    ep.waitForURL((u) => u.pathname === eventPath, { waitUntil: 'load' }),
    ep.locator('form[action$="/rsvp"] button').click(),
  ]);
  if (await ep.locator('form[action$="/rsvp"] button[aria-pressed=true]').count() !== 1) fail('after saying she comes, the event page does not show it');
  await Promise.all([
    ep.waitForURL((u) => u.pathname === `${eventPath}/edit`, { waitUntil: 'load' }),
    ep.getByRole('link', { name: 'Edit the event' }).click(),
  ]);
  await audit(ep, 'event edit form', `${eventPath}/edit`);
  await ep.locator(`#title-${lang}`).fill('Digital inclusion in cities: a webinar of the learning forum');
  await Promise.all([
    ep.waitForURL((u) => u.pathname === eventPath, { waitUntil: 'load' }),
    ep.getByRole('button', { name: 'Save the changes' }).click(),
  ]).catch((e) => fail(`saving the event did not land on its page (now on ${ep.url()}): ${e.message.split('\n')[0]}`));
  const h1 = (await ep.locator('h1').innerText()).trim();
  if (h1 !== 'Digital inclusion in cities: a webinar of the learning forum') fail(`the edited event's heading is ${JSON.stringify(h1)}`);
  const ics = await ec.request.get(base + eventPath + '/event.ics', { timeout: STEP_MS });
  if (!ics.ok() || !(await ics.text()).includes('BEGIN:VEVENT')) fail(`${eventPath}/event.ics: HTTP ${ics.status()}, not a calendar`);
  await ec.close();
}

// reportFlow: the moderator composes a report on the seeded debate
// question, boxes its good practices, publishes it, and opens the report
// page and its print view; axe-core checks both, screenshots are taken and
// the PDF is downloaded.
async function reportFlow() {
  step(`sign in as the moderator ${moderator}`);
  const mc = await newContext('en');
  const mp = await mc.newPage();
  await goto(mp, '/login');
  await signIn(mp, moderator, password);

  step('open the forum\'s reports and compose one');
  await goto(mp, '/f/digitalisation/reports');
  await Promise.all([
    mp.waitForURL((u) => u.pathname === '/f/digitalisation/reports/new', { waitUntil: 'load' }),
    mp.getByRole('link', { name: 'Compose a report' }).click(),
  ]);
  await audit(mp, 'report form', '/f/digitalisation/reports/new');
  await mp.locator('#rf-language').selectOption('en');
  await mp.locator('#rf-title-en').fill('Learning Forum on Digitalisation: report');
  await mp.locator('#rf-intro-en').fill('Launched at the webinar of **17 May 2026**.');
  const q = mp.locator('fieldset.rf-question', { hasText: 'Has Covid-19 been the turning point' });
  await q.locator('input[name=q]').check();
  await q.locator('input[type=number]').fill('1');
  await q.locator('details summary').first().click();
  await q.locator('textarea[name$=".en"]').fill('The pandemic made the barriers visible.');
  const boxes = q.locator('input[type=checkbox][name^="box."]');
  if (await boxes.count() !== 2) fail(`the form offers ${await boxes.count()} good practices to box, want 2`);
  for (let i = 0; i < 2; i++) await boxes.nth(i).check();
  await Promise.all([
    mp.waitForURL((u) => /^\/f\/digitalisation\/reports\/[^/]+$/.test(u.pathname), { waitUntil: 'load' }),
    mp.locator('main form.report-form button[type=submit]').click(),
  ]).catch((e) => fail(`saving the report did not land on its page (now on ${mp.url()}): ${e.message.split('\n')[0]}`));
  const reportPath = new URL(mp.url()).pathname;
  console.log(`  report: ${reportPath}`);

  step('publish it');
  await Promise.all([
    mp.waitForURL((u) => u.pathname === reportPath, { waitUntil: 'load' }),
    mp.getByRole('button', { name: 'Publish' }).click(),
  ]);
  if (await mp.locator('.draft-banner').count()) fail('after publishing, the report still says it is a draft');
  if (await mp.locator('.gp-box').count() !== 2) fail('the published report does not box the two good practices');
  if (await mp.locator('svg.chart[role=img] > title').count() !== 3) fail('the report does not have its three charts with titles');

  step('axe-core on the published report, then its print view');
  const anon = await newContext('en');
  const ap = await anon.newPage();
  await audit(ap, 'report', reportPath);
  if (shots) await ap.screenshot({ path: join(shots, 'report.png'), fullPage: true });
  await ap.emulateMedia({ media: 'print' });
  await audit(ap, 'report (print)', reportPath);
  await ap.emulateMedia({ media: 'print' });
  if (await ap.locator('header.site').isVisible()) fail('the print view shows the site header');
  if (await ap.locator('.report-actions').isVisible()) fail('the print view shows the report\'s buttons');
  if (shots) {
    await ap.screenshot({ path: join(shots, 'report-print.png'), fullPage: true });
    await ap.pdf({ path: join(shots, 'report-print.pdf'), format: 'A4', preferCSSPageSize: true });
  }
  step('download the PDF');
  const pdf = await ap.context().request.get(base + reportPath + '/report.pdf?lang=en', { timeout: STEP_MS });
  if (!pdf.ok()) fail(`report.pdf: HTTP ${pdf.status()}`);
  if (pdf.headers()['content-type'] !== 'application/pdf') fail(`report.pdf: Content-Type ${pdf.headers()['content-type']}`);
  const bytes = await pdf.body();
  if (bytes.subarray(0, 5).toString() !== '%PDF-') fail('report.pdf is not a PDF');
  if (shots) writeFileSync(join(shots, 'report.pdf'), bytes);
  await anon.close();
  await mc.close();
}

let code = 0;
try {
  await run();
} catch (e) {
  console.error(`FAIL: ${String(e.message).replace(/\x1b\[[0-9;]*m/g, '')}`);
  code = 1;
} finally {
  try { await browser?.close(); } catch { /* already gone */ }
}

if (weights.length) {
  console.log(`page weights (bytes: HTML document + CSS = total; budget ${BUDGET}):`);
  for (const w of weights) {
    console.log(`  ${w.page.padEnd(20)} ${String(w.html).padStart(7)} + ${String(w.css).padStart(6)} = ${String(w.html + w.css).padStart(7)}`);
  }
}
for (const o of overweight) {
  console.error(`FAIL: page weight: ${o}`);
  code = code || 1;
}
if (violations.length) {
  console.error(`axe-core: ${violations.length} violation(s):`);
  for (const v of violations) {
    console.error(`- [${v.impact}] ${v.id} on ${v.page}: ${v.help} (${v.helpUrl})`);
    for (const t of v.targets) {
      console.error(`    target: ${t.target}`);
      console.error(`      html: ${t.html.slice(0, 200)}`);
      if (t.summary) console.error(`      ${t.summary.replace(/\n\s*/g, ' | ')}`);
    }
  }
  code = code || 1;
} else if (code === 0) {
  console.log('axe-core: no violations of any impact');
}
clearTimeout(deadline);
console.log(code === 0 ? 'PASS' : 'FAIL');
process.exit(code);
