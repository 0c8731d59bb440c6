// Issue 3, the resident's journey: create an account (and confirm the
// address through the link of the mail, issue 9), verify one's residency
// against the census (a wrong entry first, then the right one), sign out,
// sign in again and find the account verified. Also the sign-up form with
// errors. In French and English, with JavaScript on and off; every page
// reached is checked by axe (WCAG 2 A/AA and best practices: 0 violations).
// With JavaScript off, the first residency form and the second sign-in are
// filled in with the keyboard only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currentDocument, useFabrique } from './harness.mjs';
import { CONFIRMED_FLASH, DISTRICTS, MODES, confirmSignUp, demoPerson, escape, focused, journey, mainNav, tabTo, tr } from './journeys.mjs';

const f = useFabrique({ prepare: ({ databaseUrl, run }) => run(['demo', '--database', databaseUrl]) });

// One census person per mode, none used elsewhere (journey_staff uses 21…27;
// the demo's resident@ holds DEMO0002). Districts whose names differ between
// French and English, all born well before the minimum age of 16.
const PEOPLE = { 'fr-js': 11, 'fr-nojs': 13, 'en-js': 15, 'en-nojs': 17 };

const PASSWORD = 'résident-e2e-2026';

// The keys that type this person's birth date into Chromium's date picker,
// whose fields come in the order of the browser's own locale (day first for
// fr-FR and en-GB, month first for en-US; Playwright's locale option does not
// change it), found once on a scratch page.
let dayFirst;
async function dateKeys({ day, month, year }) {
  if (dayFirst === undefined) {
    const context = await f.browser.newContext();
    const scratch = await context.newPage();
    await scratch.setContent('<input type="date" id="d">');
    await scratch.focus('#d');
    await scratch.keyboard.type('01022000');
    const value = await scratch.inputValue('#d');
    await context.close();
    assert.ok(['2000-02-01', '2000-01-02'].includes(value), `the date picker read 01022000 as ${value}`);
    dayFirst = value === '2000-02-01';
  }
  return dayFirst ? day + month + year : month + day + year;
}

async function assertLanguage(page, locale, label) {
  assert.equal(await page.locator('html').getAttribute('lang'), locale, `${label}: <html lang>`);
}

for (const { locale, javaScript, tag, name } of MODES) {
  test(`resident: sign up, verify residency, sign out and in again (${name})`, async () => {
    const person = demoPerson(PEOPLE[tag]);
    const email = `resident-${tag}@e2e.fabrique.example`;
    const displayName = `Résidente ${tag}`;
    const j = journey(f);
    const page = await f.newPage({ locale, javaScript });

    // Home → the sign-up form, through the header's link.
    await j.visit(page, '/', { label: `home (${tag})` });
    await mainNav(page, locale).getByRole('link', { name: tr(locale, 'Créer un compte', 'Create an account') }).click();
    await page.waitForURL(/\/sign-up$/);
    await j.check(page, `sign-up form (${tag})`);
    await assertLanguage(page, locale, 'sign-up form');

    await page.getByLabel(tr(locale, 'Nom affiché', 'Display name')).fill(displayName);
    await page.getByLabel(tr(locale, 'Adresse e-mail', 'Email address')).fill(email);
    await page.getByLabel(tr(locale, 'Mot de passe', 'Password'), { exact: false }).fill(PASSWORD);
    await page.getByRole('button', { name: tr(locale, 'Créer mon compte', 'Create my account') }).click();

    // The page that says a mail went to the address; the link of the mail,
    // its page and its button: /account, signed in, with the flash.
    await confirmSignUp(f, page, { locale, tag, email, check: j.check });
    await j.check(page, `account, just confirmed (${tag})`);
    assert.equal(currentDocument(page).status, 200);
    await assertLanguage(page, locale, 'account');
    const flash = page.locator('main [role="status"]');
    assert.equal((await flash.textContent()).trim(), CONFIRMED_FLASH[locale]);
    assert.match(await page.locator('main').textContent(), new RegExp(escape(email)));
    assert.match(await page.locator('main').textContent(),
                 tr(locale, /pas encore vérifiée/, /not verified yet/));

    // The link to the residency form.
    await page.getByRole('link', { name: tr(locale, 'Vérifier ma résidence', 'Verify my residency') }).click();
    await page.waitForURL(/\/account\/residency$/);
    await j.check(page, `residency form (${tag})`);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(),
                 tr(locale, 'Vérifier ma résidence', 'Verify my residency'));

    const documentField = page.getByLabel(tr(locale, "Numéro de la pièce d'identité", 'Identity document number'));
    const birthField = page.getByLabel(tr(locale, 'Date de naissance', 'Date of birth'));
    const postalField = page.getByLabel(tr(locale, 'Code postal de votre domicile', 'Postal code of your home'));
    const verifyButton = page.getByRole('button', { name: tr(locale, 'Vérifier ma résidence', 'Verify my residency') });

    // A wrong entry: the right person with another district's postal code.
    // Without JavaScript, with the keyboard only: the skip link, then the
    // three fields in order, the date typed day, month, year into the date
    // picker's fields, and Enter.
    const wrongPostal = DISTRICTS[(PEOPLE[tag] + 2) % 4].postal;
    if (javaScript) {
      await documentField.fill(person.documentNumber);
      await birthField.fill(person.birthDate);
      await postalField.fill(wrongPostal);
      await verifyButton.click();
    } else {
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('href')), '#main',
                   'the first Tab focuses the skip link');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      assert.equal(await focused(page), 'document_number', 'from <main>, Tab reaches the document number first');
      await page.keyboard.type(person.documentNumber);
      await page.keyboard.press('Tab');
      assert.equal(await focused(page), 'birth_date');
      await page.keyboard.type(await dateKeys(person));
      assert.equal(await birthField.inputValue(), person.birthDate, 'the date typed into the date picker');
      await tabTo(page, 'postal_code', 4); // through the date picker's own stops
      await page.keyboard.type(wrongPostal);
      await page.keyboard.press('Enter');
    }
    await page.getByRole('alert').waitFor();
    await j.check(page, `residency form, no match (${tag})`);
    assert.equal(currentDocument(page).status, 422, 'no match: 422');
    assert.match(page.url(), /\/account\/residency$/);
    assert.equal((await page.getByRole('alert').textContent()).trim(), tr(locale,
      'Nous ne pouvons pas vérifier votre résidence avec ces informations. Vérifiez le numéro du document, la date de naissance ' +
      'et le code postal, puis réessayez. S’ils sont justes, présentez-vous au guichet de la mairie avec votre pièce d’identité\u202f: ' +
      'un agent y vérifiera votre résidence.',
      'We cannot verify your residency with these details. Check the document number, the birth date and the postal code, ' +
      'and try again. If they are right, come to the town hall counter with your identity document: a clerk will verify ' +
      'your residency there.'));
    // What was typed is kept, so that one can correct it.
    assert.equal(await documentField.inputValue(), person.documentNumber);
    assert.equal(await birthField.inputValue(), person.birthDate);
    assert.equal(await postalField.inputValue(), wrongPostal);

    // The right entry.
    await postalField.fill(person.postalCode);
    await verifyButton.click();
    await page.waitForURL(/\/account$/);
    await j.check(page, `account, verified (${tag})`);
    assert.equal((await page.locator('main [role="status"]').textContent()).trim(),
                 tr(locale, 'Votre résidence est vérifiée\u202f: vous pouvez maintenant proposer des projets et voter.',
                    'Your residency is verified: you can now propose projects and vote.'));
    const districtName = person.district[locale];
    assert.equal((await page.locator('main .status-verified').textContent()).trim(),
                 `${tr(locale, 'Résidence vérifiée', 'Residency verified')} — ${districtName}`);
    assert.equal(await page.getByRole('link', { name: tr(locale, 'Vérifier ma résidence', 'Verify my residency') }).count(), 0,
                 'no link to verify any more');

    // Sign out with the header's button.
    await mainNav(page, locale).getByRole('button', { name: tr(locale, 'Se déconnecter', 'Sign out') }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await j.check(page, `home, signed out (${tag})`);
    assert.equal((await page.locator('main [role="status"]').textContent()).trim(),
                 tr(locale, 'Vous êtes déconnecté.', 'You are signed out.'));
    const signInLink = mainNav(page, locale).getByRole('link', { name: tr(locale, 'Se connecter', 'Sign in') });
    assert.equal(await signInLink.count(), 1, 'the header offers to sign in again');

    // /account now asks to sign in first.
    await j.visit(page, '/account', { label: `account, signed out → sign-in (${tag})` });
    assert.match(page.url(), /\/sign-in\?next=%2Faccount$/);

    // Sign in again (with the keyboard only, without JavaScript).
    await signInLink.click();
    await page.waitForURL(/\/sign-in$/);
    await j.check(page, `sign-in form (${tag})`);
    if (javaScript) {
      await page.getByLabel(tr(locale, 'Adresse e-mail', 'Email address')).fill(email);
      await page.getByLabel(tr(locale, 'Mot de passe', 'Password'), { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: tr(locale, 'Se connecter', 'Sign in') }).click();
    } else {
      // From the top of the page: Tab to the skip link, Enter, then the form.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('href')), '#main',
                   'the first Tab focuses the skip link');
      await page.keyboard.press('Enter');
      assert.equal(await focused(page), 'main', 'the skip link moves the focus to <main>');
      await page.keyboard.press('Tab');
      assert.equal(await focused(page), 'email', 'from <main>, Tab reaches the email field first');
      await page.keyboard.type(email);
      await page.keyboard.press('Tab');
      assert.equal(await focused(page), 'password');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter'); // submits the form
    }
    // Signing in from the header's link (no ?next=) leads to /account (the
    // POST /sign-in handler's default).
    await page.waitForURL((url) => url.pathname !== '/sign-in');
    if (new URL(page.url()).pathname !== '/account') {
      j.problems.push(`sign-in without ?next= led to ${new URL(page.url()).pathname}, not /account ` +
                    '(the form\'s hidden next field holds "/" when the page had no ?next=)');
      await j.check(page, `page after sign-in (${tag})`);
      await j.visit(page, '/account', { label: `account, signed in again (${tag})` });
    } else {
      await j.check(page, `account, signed in again (${tag})`);
    }
    await assertLanguage(page, locale, 'account after sign-in');
    assert.equal((await page.locator('main .status-verified').textContent()).trim(),
                 `${tr(locale, 'Résidence vérifiée', 'Residency verified')} — ${districtName}`);
    assert.match(await page.locator('main').textContent(), new RegExp(escape(displayName)));

    // The residency page says so too.
    await j.visit(page, '/account/residency', { label: `residency page, verified (${tag})` });
    assert.equal((await page.locator('main .status-verified').textContent()).trim(),
                 `${tr(locale, 'Votre résidence est vérifiée', 'Your residency is verified')} — ${districtName}`);
    // Today as people read it, in the installation's time zone (Paris):
    // "7 décembre 2026", "1er mars 2027" / "7 December 2026".
    let today = new Intl.DateTimeFormat(tr(locale, 'fr-FR', 'en-GB'),
      { timeZone: 'Europe/Paris', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date());
    if (locale === 'fr') today = today.replace(/^1 /, '1er ');
    const words = today.split(/\s+/).map(escape).join('\\s');
    assert.match(await page.locator('main dl').textContent(),
                 new RegExp(tr(locale, `en ligne, le ${words}`, `online, on ${words}`)));
    await page.context().close();
    j.done();
  });

  test(`resident: the sign-up form with errors (${name})`, async () => {
    const j = journey(f);
    const page = await f.newPage({ locale, javaScript });
    await j.visit(page, '/sign-up', { label: `sign-up form (${tag})` });
    await page.getByLabel(tr(locale, 'Nom affiché', 'Display name')).fill(`Erreurs ${tag}`);
    await page.getByLabel(tr(locale, 'Adresse e-mail', 'Email address')).fill('not-an-address');
    await page.getByLabel(tr(locale, 'Mot de passe', 'Password'), { exact: false }).fill('short');
    await page.getByRole('button', { name: tr(locale, 'Créer mon compte', 'Create my account') }).click();
    const summary = page.getByRole('alert');
    await summary.waitFor();
    await j.check(page, `sign-up form with errors (${tag})`);
    assert.equal(currentDocument(page).status, 422);
    assert.match(page.url(), /\/sign-up$/);
    await assertLanguage(page, locale, 'sign-up errors');

    // The summary: a heading and one link per field at fault, to the field.
    assert.equal((await summary.getByRole('heading').textContent()).trim(),
                 tr(locale, 'Le formulaire contient des erreurs', 'The form has errors'));
    const emailMessage = tr(locale, 'Indiquez une adresse e-mail comme nom@exemple.fr.', 'Enter an email address like name@example.org.');
    const passwordMessage = tr(locale, "Choisissez un mot de passe d'au moins 10 caractères.",
                               'Choose a password of at least 10 characters.');
    const links = summary.getByRole('link');
    assert.deepEqual(
      (await links.evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent.trim()]))).sort(),
      [['#email', emailMessage], ['#password', passwordMessage]]);

    // Each field: aria-invalid, and its message tied to it.
    const emailField = page.getByLabel(tr(locale, 'Adresse e-mail', 'Email address'));
    const passwordField = page.getByLabel(tr(locale, 'Mot de passe', 'Password'), { exact: false });
    const nameField = page.getByLabel(tr(locale, 'Nom affiché', 'Display name'));
    assert.equal(await emailField.getAttribute('aria-invalid'), 'true');
    assert.equal(await passwordField.getAttribute('aria-invalid'), 'true');
    assert.equal(await nameField.getAttribute('aria-invalid'), null);
    assert.equal((await page.locator('#email-error').textContent()).trim(), emailMessage);
    assert.equal((await page.locator('#password-error').textContent()).trim(), passwordMessage);
    assert.match(await emailField.getAttribute('aria-describedby'), /\bemail-error\b/);
    assert.match(await passwordField.getAttribute('aria-describedby'), /\bpassword-hint\b.*\bpassword-error\b/);
    // What was typed is kept, except the password.
    assert.equal(await nameField.inputValue(), `Erreurs ${tag}`);
    assert.equal(await emailField.inputValue(), 'not-an-address');
    assert.equal(await passwordField.inputValue(), '');

    // A link of the summary takes the focus to its field.
    await links.filter({ hasText: passwordMessage }).click();
    assert.equal(await focused(page), 'password', 'the summary link focuses the password field');
    await page.context().close();
    j.done();
  });
}
