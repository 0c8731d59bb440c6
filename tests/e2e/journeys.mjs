// What the journey tests share: the four modes, the demo city's districts
// and census people, keyboard helpers, and journey(), which lets a journey go
// on past a page with accessibility violations and report them all at the end.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// FABRIQUE_E2E_MODES=fr-js,en-nojs keeps only those modes: ctest runs the
// budget journey's two modes as two tests, side by side (CMakeLists.txt).
export const MODES = [];
const onlyModes = (process.env.FABRIQUE_E2E_MODES || '').split(',').filter(Boolean);
for (const locale of ['fr', 'en'])
  for (const javaScript of [true, false]) {
    const tag = `${locale}-${javaScript ? 'js' : 'nojs'}`;
    if (onlyModes.length === 0 || onlyModes.includes(tag))
      MODES.push({ locale, javaScript, tag, name: `${locale}, JavaScript ${javaScript ? 'on' : 'off'}` });
  }

// The demo districts, in the order of demo_districts() (src/cli/demo_command.cpp).
export const DISTRICTS = [
  { slug: 'centre', postal: '45000', fr: 'Centre-ville', en: 'City centre' },
  { slug: 'rive-gauche', postal: '45100', fr: 'Rive gauche', en: 'Left bank' },
  { slug: 'les-vignes', postal: '45160', fr: 'Les Vignes', en: 'Les Vignes' },
  { slug: 'port', postal: '45200', fr: 'Quartier du Port', en: 'Harbour district' },
];

// Person i of the demo census, as demo_census_csv() generates it.
export function demoPerson(i) {
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  const year = 1940 + ((i * 7) % 73);
  const month = 1 + ((i * 5) % 12);
  const day = 1 + ((i * 11) % 28);
  const district = DISTRICTS[i % 4];
  return { documentNumber: `DEMO${pad(i, 4)}`, birthDate: `${year}-${pad(month)}-${pad(day)}`,
           day: pad(day), month: pad(month), year: String(year), postalCode: district.postal, district };
}

export const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
export const tr = (locale, fr, en) => (locale === 'fr' ? fr : en);

// The id (or tag name) of the focused element.
export const focused = (page) =>
  page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);

// Presses Tab until the element with this id has the focus.
export async function tabTo(page, id, max = 30) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if ((await focused(page)) === id) return;
  }
  assert.fail(`${max} presses of Tab never focused #${id} (focus on ${await focused(page)})`);
}

// What one test checks: f.visit and f.check, except that a page with
// accessibility violations does not stop the journey: the violations are
// kept (with the other problems found on the way), the journey goes on, and
// done() fails the test with all of them.
export function journey(f) {
  const problems = [];
  const soft = (fn) => async (...args) => {
    try {
      return await fn(...args);
    } catch (e) {
      if (!(e instanceof assert.AssertionError) || !/accessibility violation/.test(e.message)) throw e;
      problems.push(e.message);
    }
  };
  return {
    problems,
    visit: soft(f.visit),
    check: soft(f.check),
    done() {
      if (problems.length)
        assert.fail(`${problems.length} problem(s) on the way (the rest of the journey passed):\n${problems.join('\n')}`);
    },
  };
}

export function mainNav(page, locale) {
  return page.getByRole('navigation', { name: tr(locale, 'Navigation principale', 'Main navigation') });
}

// The path and query of the link to `path` ('/sign-up/confirm',
// '/password/reset') in the newest mail to `email` that has one, read from
// the server's mail folder (beside its SQLite database: <database>-mail);
// waits for the mail sender. The link's host is the server's public URL,
// not the test server's: only the path is kept.
export async function mailedLink(server, email, path, { timeoutMs = 15000 } = {}) {
  const dir = `${server.databasePath}-mail`;
  const link = new RegExp(`https?://[^/\\s]+(${escape(path)}\\?token=[A-Za-z0-9_-]+)`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const files = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.eml')).sort().reverse() : [];
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      if (!text.includes(`\r\nTo: ${email}\r\n`)) continue;
      const found = link.exec(text);
      if (found) return found[1];
    }
    if (Date.now() > deadline) assert.fail(`no mail to ${email} with a ${path} link in ${dir}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// After the sign-up form was sent: the page that says a mail went to the
// address, then the mail's link, its page and button; resolves on the
// account page, signed in. check(page, label) audits each page reached.
export async function confirmSignUp(f, page, { locale, tag, email, check }) {
  const heading = page.getByRole('heading', { level: 1, name: tr(locale, 'Confirmez votre adresse', 'Confirm your address') });
  await heading.waitFor();
  await check(page, `sign-up, mail sent (${tag})`);
  assert.equal((await page.locator('main [role="status"]').textContent()).trim(),
               tr(locale, `Nous vous avons écrit à ${email}\u202f: suivez le lien du message pour confirmer votre adresse.`,
                  `We have written to ${email}: follow the link in the message to confirm your address.`));
  const link = await mailedLink(f.server, email, '/sign-up/confirm');
  await page.goto(link);
  await check(page, `address confirmation (${tag})`);
  await page.getByRole('button', { name: tr(locale, 'Confirmer mon adresse', 'Confirm my address') }).click();
  await page.waitForURL(/\/account$/);
}

// The flash the account page shows once the address is confirmed.
export const CONFIRMED_FLASH = {
  fr: 'Votre adresse est confirmée et votre compte est prêt. Vérifiez votre résidence pour proposer et voter.',
  en: 'Your address is confirmed and your account is ready. Verify your residency to propose and vote.',
};
