// Browser-test harness: the fabrique server on a fresh database, Debian's
// Chromium driven by playwright-core, axe-core on every page visited.
//
// A journey test is a *.test.mjs file in this directory (tests/e2e/run runs
// them all, one file at a time, with FABRIQUE_BINARY set):
//
//   import { test } from 'node:test';
//   import assert from 'node:assert/strict';
//   import { useFabrique } from './harness.mjs';
//
//   const f = useFabrique();               // one server + one browser for the file
//   test('sign in without JavaScript', async () => {
//     const page = await f.newPage({ javaScript: false, locale: 'en' });
//     await f.visit(page, '/');            // status 2xx/3xx, security headers, axe, no errors
//     await page.getByRole('link', { name: 'Sign in' }).click();
//     await f.check(page, 'sign-in form');  // axe + no errors on the page reached by the click
//   });
//
// Everything here uses only node:test, node:assert and playwright-core; the
// lower-level helpers (startServer, launchBrowser, newPage, visit,
// checkAccessibility) can be used without useFabrique.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// Flags from docs/stack-notes ("Browser tests"): without the
// background-networking ones Chromium keeps trying to reach hosts this network
// does not have.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

// Requests whose failure is not reported. Chromium fetches /favicon.ico by
// itself for a document that declares no icon (the JSON of /health, any page
// outside the layout); the server answers 404 there.
// TODO: drop once the server serves /favicon.ico.
export const IGNORED_FAILURES = [/\/favicon\.ico$/];

// Every page visit() or checkAccessibility() audited, in order (one file's
// worth: each test file runs in its own process). Also appended as JSON lines
// to $FABRIQUE_E2E_REPORT when set, for the summary tests/e2e/run prints.
export const visitedPages = [];

const TIMEOUT_MS = Number(process.env.FABRIQUE_E2E_TIMEOUT_MS || 30000);

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function tail(text, max = 4000) {
  return text.length > max ? '…' + text.slice(-max) : text;
}

// ---------------------------------------------------------------------------
// The server

function fabriqueBinary(binary) {
  const b = binary || process.env.FABRIQUE_BINARY;
  if (!b) throw new Error('no fabrique binary: pass {binary} or set FABRIQUE_BINARY (tests/e2e/run does)');
  if (!existsSync(b)) throw new Error(`fabrique binary not found: ${b}`);
  return b;
}

// A fresh, empty SQLite database in its own temporary directory (removed when
// the process exits). Use it to seed a database before startServer:
//   const db = freshDatabase();
//   await runFabrique(['demo-seed', '--database', db.databaseUrl]);
//   const server = await startServer({ databaseUrl: db.databaseUrl });
export function freshDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'fabrique-e2e-'));
  const databasePath = join(dir, 'fabrique.db');
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return { databaseUrl: `sqlite:${databasePath}`, databasePath, dir };
}

// Runs `fabrique ARGS…` to completion; resolves {stdout, stderr}, rejects
// with both on a non-zero exit or after timeoutMs.
export function runFabrique(args, { binary, env = {}, timeoutMs = 120000 } = {}) {
  const bin = fabriqueBinary(binary);
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else
        reject(new Error(`fabrique ${args.join(' ')}: ${signal ? `killed by ${signal}` : `exit ${code}`}\n` +
                         `--- stdout\n${tail(stdout)}\n--- stderr\n${tail(stderr)}`));
    });
  });
}

// Spawns `fabrique serve --listen 127.0.0.1:0 --database URL ARGS…` (a fresh
// temporary SQLite database unless databaseUrl is given) and waits for its
// `listening on http://…` line.
//   → { url, stop(), databaseUrl, databasePath, output() }
// url has no trailing slash; databasePath is null for a non-SQLite URL;
// output() is the server's stdout and stderr so far (the access log);
// stop() sends SIGTERM and resolves when the server has exited (SIGKILL after
// 10 s), rejecting if it did not exit cleanly.
export async function startServer({ binary, databaseUrl, args = [], env = {}, timeoutMs = TIMEOUT_MS } = {}) {
  const bin = fabriqueBinary(binary);
  let databasePath = null;
  if (!databaseUrl) ({ databaseUrl, databasePath } = freshDatabase());
  else if (databaseUrl.startsWith('sqlite:')) databasePath = databaseUrl.slice('sqlite:'.length);

  const argv = ['serve', '--listen', '127.0.0.1:0', '--database', databaseUrl, ...args];
  const child = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  // Never leave a server behind, whatever happens to this process.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  // Both pipes are drained for the whole life of the server (the access log
  // would otherwise fill the pipe and block it); the text is kept for errors.
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  // 'close', not 'exit': the pipes are read to the end, so errors show all of stderr.
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));

  const url = await withTimeout(
    new Promise((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        const m = /listening on (http:\/\/\S+)/.exec(stdout);
        if (m) resolve(m[1].replace(/\/$/, ''));
      });
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      exited.then(({ code, signal }) =>
        reject(new Error(`exited (${signal || `status ${code}`}) before listening`)));
    }),
    timeoutMs,
    `${bin} ${argv.join(' ')}`,
  ).catch((e) => {
    child.kill('SIGKILL');
    throw new Error(`fabrique serve did not start: ${e.message}\n--- stdout\n${tail(stdout)}\n--- stderr\n${tail(stderr)}`);
  });

  let stopping = null;
  return {
    url,
    databaseUrl,
    databasePath,
    output: () => ({ stdout, stderr }),
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
        const { code, signal } = await exited;
        clearTimeout(timer);
        process.removeListener('exit', killOnExit);
        if (code !== 0)
          throw new Error(`fabrique serve did not stop cleanly on SIGTERM (${signal || `status ${code}`})\n` +
                          `--- stderr\n${tail(stderr)}`);
      })();
      return stopping;
    },
  };
}

// ---------------------------------------------------------------------------
// The browser

// Debian's Chromium headless shell (env CHROMIUM overrides the path), with its
// own temporary profile and config/cache directories; browser.close() removes
// them. The shell is Chromium's engine without the browser's user interface,
// what Playwright itself runs headless tests on: the full `chromium` in
// headless mode starts a WebUI renderer for its toolbar in every window, and
// the budget journey (fr-js) took 163 CPU-s and 93 s there, 72 CPU-s and 53 s
// in the shell, for the same pages, the same Blink and the same axe results.
export const DEFAULT_CHROMIUM = '/usr/bin/chromium-headless-shell';

export async function launchBrowser({ executablePath = process.env.CHROMIUM || DEFAULT_CHROMIUM, args = [] } = {}) {
  if (!existsSync(executablePath))
    throw new Error(`Chromium not found at ${executablePath}: run scripts/setup (or set CHROMIUM)`);
  // playwright-core already gives every launch a fresh --user-data-dir; the
  // XDG directories keep the Debian wrapper and crashpad out of $HOME too.
  const home = mkdtempSync(join(tmpdir(), 'fabrique-chromium-'));
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...args],
    env: { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache') },
    timeout: 60000,
  });
  const close = browser.close.bind(browser);
  browser.close = async () => {
    try {
      await withTimeout(close(), 15000, 'browser.close()');
    } catch (e) {
      // playwright-core kills the browser process when this process exits.
      console.error(`warning: ${e.message}`);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  };
  return browser;
}

// What newPage and visit remember about each page.
const pageState = new WeakMap();

function state(page) {
  const s = pageState.get(page);
  if (!s) throw new Error('this page was not made by newPage() of tests/e2e/harness.mjs');
  return s;
}

const ACCEPT_LANGUAGE = { fr: 'fr-FR,fr;q=0.9', en: 'en-GB,en;q=0.9' };

// A page in a context of its own (own cookies), with Accept-Language and
// navigator.language for `locale`, JavaScript on or off, goto('/path')
// relative to baseURL, and a record of console errors, uncaught exceptions,
// failed requests and 4xx/5xx subresources (pageErrors / assertNoErrors).
export async function newPage(browser, {
  javaScript = true,
  locale = 'fr',
  baseURL,
  acceptLanguage = ACCEPT_LANGUAGE[locale] || locale,
  viewport = { width: 1280, height: 800 },
  contextOptions = {},
} = {}) {
  const context = await browser.newContext({
    javaScriptEnabled: javaScript,
    locale: locale === 'fr' ? 'fr-FR' : locale === 'en' ? 'en-GB' : locale,
    extraHTTPHeaders: { 'Accept-Language': acceptLanguage },
    baseURL,
    viewport,
    ...contextOptions,
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  context.setDefaultNavigationTimeout(TIMEOUT_MS);
  const page = await context.newPage();
  const s = { javaScript, locale, errors: [], document: null };
  pageState.set(page, s);

  const ignored = (url) => IGNORED_FAILURES.some((re) => re.test(url));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location()?.url || '';
    if (ignored(where)) return;
    // Chromium logs a document answered 4xx/5xx too; visit() judges that status.
    if (s.document && where === s.document.url && s.document.status >= 400 && /^Failed to load resource/.test(msg.text()))
      return;
    s.errors.push(`console error: ${msg.text()}${where ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (err) => s.errors.push(`uncaught exception: ${err.message}`));
  page.on('requestfailed', (req) => {
    if (ignored(req.url())) return;
    // A navigation interrupted by another one is not a failure of the page.
    if (req.failure()?.errorText === 'net::ERR_ABORTED' && req.isNavigationRequest()) return;
    s.errors.push(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
  });
  page.on('response', (resp) => {
    const req = resp.request();
    let mainDocument = false;
    try {
      mainDocument = req.isNavigationRequest() && req.frame() === page.mainFrame();
    } catch {} // a service worker's request has no frame
    if (mainDocument) {
      // The document shown: its headers are reused to audit it with JS off.
      s.document = { url: resp.url(), status: resp.status(), headers: resp.headers() };
      return; // the status of a navigation is for the test (visit) to judge
    }
    if (resp.status() >= 400 && !ignored(resp.url()))
      s.errors.push(`HTTP ${resp.status()}: ${req.method()} ${resp.url()}`);
  });
  page.on('crash', () => s.errors.push('the page crashed'));
  return page;
}

// The main document the page shows now: {url, status, headers}, also after a
// click or a form submission (JavaScript off: a 303 is followed and this is
// the page it led to; a 422 with the form and its errors stays here).
export function currentDocument(page) {
  return state(page).document;
}

// The errors recorded on the page since the last assertNoErrors / takeErrors.
export function pageErrors(page) {
  return [...state(page).errors];
}

export function takeErrors(page) {
  const s = state(page);
  return s.errors.splice(0, s.errors.length);
}

export function assertNoErrors(page, label = page.url()) {
  const errors = takeErrors(page);
  if (errors.length)
    throw new assert.AssertionError({
      message: `${label}: ${errors.length} error(s) in the browser:\n  ${errors.join('\n  ')}`,
      actual: errors.length,
      expected: 0,
      operator: 'strictEqual',
    });
}

// ---------------------------------------------------------------------------
// Accessibility

let axeSource;
function axe() {
  axeSource ??= readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  return axeSource;
}

async function runAxe(page) {
  // Injected with page.evaluate, not page.addScriptTag: addScriptTag inserts
  // an inline <script>, which the server's CSP (script-src 'self') blocks,
  // and bypassCSP would hide the real CSP from the tests. DevTools
  // evaluations are not subject to the page's CSP.
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axe());
  return page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
      .then((r) => r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target.map(String).join(' '), summary: n.failureSummary })),
      }))),
    AXE_TAGS,
  );
}

// With JavaScript disabled in the page, scripts cannot run there at all: a
// page.evaluate does return, but axe.run never settles (no timer fires in a
// document loaded with scripting disabled, even after re-enabling it through
// CDP), and addScriptTag inserts a script that never runs. So the page is
// audited in a separate JS-enabled page (one per browser, reused): a blank
// document is served at the same URL with the same Content-Security-Policy
// (a route: nothing is asked of the server, so a page reached by a POST is
// not re-requested), then the JS-off page's current DOM (page.content()) is
// parsed with DOMParser, which like the JS-off page parses with scripting
// disabled and never runs scripts, and swapped in. <noscript> contents are unwrapped, since in a JS-enabled
// document Chromium does not render them while the JS-off user sees them.
// Stylesheets and images load from the real server, so contrast and layout are
// those of the page. What differs: form fields' typed values and the pseudo
// classes of the live page (:focus, :visited), and stylesheets that target
// `noscript` itself.
async function runAxeWithoutJavaScript(page) {
  const s = state(page);
  const html = await page.content();
  const url = withoutHash(page.url());
  const csp = s.document && withoutHash(s.document.url) === url ? s.document.headers['content-security-policy'] : undefined;
  const browser = page.context().browser();
  const copiesPromise = copier(browser);
  const copies = await copiesPromise;
  const work = async () => {
    const copy = copies.page;
    if (page.viewportSize()) await copy.setViewportSize(page.viewportSize());
    copies.pending = { url, csp, served: false };
    try {
      await copy.goto(url);
    } finally {
      copies.pending = null;
    }
    await copy.evaluate(async (html) => {
      const parsed = new DOMParser().parseFromString(html, 'text/html');
      for (const n of [...parsed.querySelectorAll('noscript')]) n.replaceWith(...n.childNodes);
      document.replaceChild(document.adoptNode(parsed.documentElement), document.documentElement);
      const loaded = (el, done) => new Promise((resolve) => {
        if (done()) return resolve();
        el.addEventListener('load', resolve, { once: true });
        el.addEventListener('error', resolve, { once: true });
        setTimeout(resolve, 5000);
      });
      await Promise.all([
        ...[...document.querySelectorAll('link[rel~="stylesheet"]')].map((l) => loaded(l, () => l.sheet)),
        ...[...document.images].map((i) => loaded(i, () => i.complete)),
      ]);
      await document.fonts.ready;
    }, html);
    return runAxe(copy);
  };
  // One copy at a time per browser; after a failure the next check starts afresh.
  const run = copies.queue.then(work);
  copies.queue = run.catch(async () => {
    if (copiers.get(browser) === copiesPromise) copiers.delete(browser);
    await copies.context.close().catch(() => {});
  });
  return run;
}

function withoutHash(url) {
  const i = url.indexOf('#');
  return i < 0 ? url : url.slice(0, i);
}

// The JS-enabled page the copies are audited in, one per browser, made on
// first use (a new page costs about as much as the audit itself).
const copiers = new WeakMap();

function copier(browser) {
  if (!copiers.has(browser)) {
    copiers.set(browser, (async () => {
      const c = { pending: null, queue: Promise.resolve() };
      c.context = await browser.newContext({ javaScriptEnabled: true });
      c.context.setDefaultTimeout(TIMEOUT_MS);
      c.context.setDefaultNavigationTimeout(TIMEOUT_MS);
      // The document itself is a blank page with the original's CSP; every
      // other request (stylesheets, images) goes to the server.
      await c.context.route((u) => c.pending !== null && withoutHash(u.href) === c.pending.url, (route) => {
        const p = c.pending;
        if (!p || p.served || !route.request().isNavigationRequest()) return route.continue();
        p.served = true;
        return route.fulfill({
          status: 200,
          contentType: 'text/html; charset=utf-8',
          headers: p.csp ? { 'Content-Security-Policy': p.csp } : {},
          body: '<!doctype html><html><head></head><body></body></html>',
        });
      });
      c.page = await c.context.newPage();
      return c;
    })().catch((e) => {
      copiers.delete(browser);
      throw e;
    }));
  }
  return copiers.get(browser);
}

function describe(violations) {
  return violations.map((v) =>
    `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n` +
    v.nodes.map((n) => `    - ${n.target}${n.summary ? `: ${oneLine(n.summary)}` : ''}`).join('\n')).join('\n');
}

// "Fix any of the following:\n  Element has…\n  …" → "Element has…; …"
function oneLine(summary) {
  const text = summary.split('\n').map((l) => l.trim()).filter((l) => l && !/^Fix (any|all) of the following:$/.test(l)).join('; ');
  return text.length > 240 ? text.slice(0, 239) + '…' : text;
}

// Runs axe (WCAG 2.0/2.1 A and AA, and best practices) on the page as it is
// now; throws an AssertionError listing every violation (id, impact, help,
// the selectors of the elements at fault). Resolves {violations: [], ms}.
export async function checkAccessibility(page, label = page.url()) {
  return auditPage(page, label, {});
}

async function auditPage(page, label, extra) {
  const s = state(page);
  const started = performance.now();
  const violations = await withTimeout(
    s.javaScript ? runAxe(page) : runAxeWithoutJavaScript(page), TIMEOUT_MS, `axe on ${label}`);
  const ms = Math.round(performance.now() - started);
  record({ label, url: page.url(), javaScript: s.javaScript, locale: s.locale, status: s.document?.status, ...extra,
           axe: true, axeMs: ms,
           violations: violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`) });
  if (violations.length) {
    const mode = `${s.locale}, JavaScript ${s.javaScript ? 'on' : 'off'}`;
    throw new assert.AssertionError({
      message: `${label} (${mode}): ${violations.length} accessibility violation(s):\n${describe(violations)}`,
      actual: violations.length,
      expected: 0,
      operator: 'strictEqual',
    });
  }
  return { violations, ms };
}

function record(entry) {
  entry.file = basename(process.argv[1] || '');
  visitedPages.push(entry);
  if (process.env.FABRIQUE_E2E_REPORT) appendFileSync(process.env.FABRIQUE_E2E_REPORT, JSON.stringify(entry) + '\n');
}

// ---------------------------------------------------------------------------
// Visiting pages

// The security headers every response must carry.
export function assertSecurityHeaders(response, label = response.url()) {
  const h = response.headers();
  assert.match(h['content-security-policy'] || '', /default-src/, `${label}: Content-Security-Policy with default-src`);
  assert.equal(h['x-content-type-options'], 'nosniff', `${label}: X-Content-Type-Options: nosniff`);
}

// Navigates to `path` (relative to the page's baseURL, or absolute), then
// asserts a 2xx/3xx status (or exactly `status`), the security headers, no
// error in the browser, and — for an HTML document — no accessibility
// violation (checkAccessibility). Resolves the Playwright Response.
export async function visit(page, path, { status, label, axe: runAxeHere = true } = {}) {
  const s = state(page);
  const name = label || path;
  const started = performance.now();
  const response = await page.goto(path, { waitUntil: 'load' });
  const loadMs = Math.round(performance.now() - started);
  assert.ok(response, `${name}: no response (same-document navigation?)`);
  if (status !== undefined) assert.equal(response.status(), status, `${name}: HTTP status`);
  else assert.ok(response.status() >= 200 && response.status() < 400, `${name}: HTTP status ${response.status()}, expected 2xx/3xx`);
  assertSecurityHeaders(response, name);
  assertNoErrors(page, name);
  const html = /^text\/html\b/.test(response.headers()['content-type'] || '');
  if (runAxeHere && html) {
    await auditPage(page, name, { status: response.status(), loadMs });
  } else {
    record({ label: name, url: page.url(), javaScript: s.javaScript, locale: s.locale, axe: false, loadMs,
             status: response.status() });
  }
  return response;
}

// What the first press of Tab from the top of the page focuses: null when
// it stays on the document, else {tag, text, href, id, visible, inViewport}.
// visible is Playwright's (a box, not visibility:hidden); inViewport also
// requires the box to intersect the viewport (a skip link parked off-screen
// until focused is not, unless focusing it brings it in).
export async function firstTabStop(page) {
  await page.evaluate(() => {
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    window.scrollTo(0, 0);
  });
  await page.keyboard.press('Tab');
  const focused = page.locator(':focus');
  if ((await focused.count()) === 0) return null;
  const box = await focused.boundingBox();
  const vp = page.viewportSize();
  return {
    tag: await focused.evaluate((e) => e.tagName.toLowerCase()),
    text: ((await focused.textContent()) || '').trim(),
    href: await focused.getAttribute('href'),
    id: await focused.getAttribute('id'),
    visible: await focused.isVisible(),
    inViewport: !!box && box.width > 0 && box.height > 0 &&
      box.x < vp.width && box.y < vp.height && box.x + box.width > 0 && box.y + box.height > 0,
  };
}

// ---------------------------------------------------------------------------
// One server and one browser per test file

// Registers node:test before/after hooks that start the server and the
// browser, and stop both after the file's tests. serverOptions are those of
// startServer, plus prepare: an async function run before the server starts,
// given {databaseUrl, databasePath, run(args)} (run = runFabrique with the
// same binary), e.g. to seed the database:
//   useFabrique({ prepare: ({ databaseUrl, run }) => run(['demo-seed', '--database', databaseUrl]) })
// Returns an object whose server and browser (and url) are set once before()
// ran, with newPage(opts) (baseURL = the server), visit(page, path, opts) and
// check(page, label).
export function useFabrique({ prepare, ...serverOptions } = {}, browserOptions = {}) {
  const f = {
    server: null,
    browser: null,
    get url() { return f.server.url; },
    newPage: (opts = {}) => newPage(f.browser, { baseURL: f.server.url, ...opts }),
    visit,
    // The checks of visit() on the page as it is now, when a click or a form
    // submission (not visit) brought it there: no browser error, axe.
    async check(page, label = page.url()) {
      await page.waitForLoadState('load');
      assertNoErrors(page, label);
      return checkAccessibility(page, label);
    },
  };
  before(async () => {
    const startingBrowser = launchBrowser(browserOptions);
    startingBrowser.catch(() => {}); // awaited below
    if (prepare) {
      if (!serverOptions.databaseUrl) Object.assign(serverOptions, freshDatabase());
      const { databaseUrl } = serverOptions;
      const databasePath = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : null;
      await prepare({ databaseUrl, databasePath, run: (args, opts) => runFabrique(args, { binary: serverOptions.binary, ...opts }) });
    }
    [f.server, f.browser] = await Promise.all([startServer(serverOptions), startingBrowser]);
  });
  after(async () => {
    await f.browser?.close();
    await f.server?.stop();
  });
  return f;
}
