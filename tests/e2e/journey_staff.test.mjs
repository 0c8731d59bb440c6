// Issue 3, the staff's journeys: the administrator imports a census file
// (refused whole for one bad line, then imported with the bad line skipped),
// reads the audit log and the accounts; the counter clerk verifies a
// resident's residency; a resident who tries /admin gets the 403 page. In
// French and English, with JavaScript on and off; every page reached is
// checked by axe (WCAG 2 A/AA and best practices: 0 violations). With
// JavaScript off, the administrator's sign-in and the clerk's search are done
// with the keyboard only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currentDocument, useFabrique } from './harness.mjs';
import { DISTRICTS, MODES, confirmSignUp, demoPerson, escape, focused, journey, mainNav, tabTo, tr } from './journeys.mjs';

const f = useFabrique({ prepare: ({ databaseUrl, run }) => run(['demo', '--database', databaseUrl]) });

const DEMO_PASSWORD = 'demo-fabrique-2026';
const ADMIN = 'admin@demo.fabrique.example';
const CLERK = 'clerk@demo.fabrique.example';
const RESIDENT = 'resident@demo.fabrique.example';
const NEWCOMER = { email: 'newcomer@demo.fabrique.example', name: 'Nora Nouvelle' };

// The census person the clerk verifies, one per mode, none used elsewhere
// (journey_resident uses 11…17; the demo's resident@ holds DEMO0002).
const COUNTER_PEOPLE = { 'fr-js': 21, 'fr-nojs': 23, 'en-js': 25, 'en-nojs': 27 };

const text = async (locator) => ((await locator.textContent()) || '').replace(/\s+/g, ' ').trim();

async function pageLanguage(page) {
  return page.locator('html').getAttribute('lang');
}

// On the sign-in form: signs in, by mouse or with the keyboard only (from the
// top of the page: the skip link, Enter, the two fields, Enter).
async function signIn(page, locale, email, { keyboard = false } = {}) {
  if (!keyboard) {
    await page.getByLabel(tr(locale, 'Adresse e-mail', 'Email address')).fill(email);
    await page.getByLabel(tr(locale, 'Mot de passe', 'Password'), { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: tr(locale, 'Se connecter', 'Sign in') }).click();
  } else {
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('href')), '#main',
                 'the first Tab focuses the skip link');
    await page.keyboard.press('Enter');
    await tabTo(page, 'email');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'password');
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
  }
  await page.waitForURL((url) => url.pathname !== '/sign-in');
}

// Visits a staff page signed out: the sign-in form, then the page itself.
async function signInTo(j, page, path, locale, email, tag, options) {
  await j.visit(page, path, { label: `${path} signed out → sign-in (${tag})` });
  assert.equal(new URL(page.url()).pathname, '/sign-in', `${path} asks to sign in first`);
  assert.equal(new URL(page.url()).searchParams.get('next'), path);
  assert.equal(await pageLanguage(page), locale, 'the sign-in form is in the browser\'s language');
  await signIn(page, locale, email, options);
  assert.equal(new URL(page.url()).pathname, path, `after signing in, back to ${path}`);
}

// The demo accounts chose French (their saved language, which signing in
// applies, whatever the browser asks for). In English mode, the page in
// French is checked, then the header's language link switches it to English
// (the caller checks the page it comes back to).
async function inModeLanguage(j, page, locale, tag, label) {
  await page.waitForLoadState('load');
  assert.equal(await pageLanguage(page), 'fr', `${label}: signing in applies the account's language (French)`);
  if (locale === 'fr') return;
  await j.check(page, `${label} (${tag}, in the account's language)`);
  const before = page.url();
  await mainNav(page, 'fr').getByRole('link', { name: 'English' }).click();
  await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
  assert.equal(page.url(), before, 'the language link comes back to the same page');
}

// On an import's page: until its status is final, follows the Refresh link
// (without JavaScript; no meta refresh) or lets fabrique.js reload the page.
// Resolves the number of pages seen while the import was running.
async function waitForImport(j, page, locale, javaScript, tag) {
  let running = 0;
  for (;;) {
    assert.equal(await page.locator('meta[http-equiv="refresh" i]').count(), 0, 'no meta refresh');
    const poll = page.locator('[data-poll]');
    if ((await poll.count()) === 0) return running;
    running++;
    assert.ok(running < 60, 'the import is still running after 60 refreshes');
    try {
      await j.check(page, `census import, running (${tag})`);
    } catch (e) {
      // fabrique.js may reload the page (the import is over) while axe runs.
      if (!javaScript || !/context was destroyed|navigat/i.test(e.message)) throw e;
    }
    if (javaScript) {
      await poll.waitFor({ state: 'detached' });
    } else {
      await poll.getByRole('link', { name: tr(locale, 'Actualiser', 'Refresh') }).click();
    }
    await page.waitForLoadState('load');
  }
}

// The <dd> after the <dt> with this text, in the facts list.
function fact(page, term) {
  return page.locator('dl.facts dt', { hasText: new RegExp(`^${escape(term)}$`) }).locator('xpath=following-sibling::dd[1]');
}

async function censusSize(page) {
  const m = /(\d+) (inscriptions|entries)/.exec(await text(page.locator('main')));
  assert.ok(m, 'the census page gives the size of the census');
  return Number(m[1]);
}

for (const { locale, javaScript, tag, name } of MODES) {
  const TAG = tag.replace('-', '').toUpperCase();

  test(`staff: the administrator imports a census, reads the audit log and the accounts (${name})`, async () => {
    const j = journey(f);
    const page = await f.newPage({ locale, javaScript });

    // Sign in on the way to /admin (keyboard only without JavaScript).
    await signInTo(j, page, '/admin', locale, ADMIN, tag, { keyboard: !javaScript });
    await inModeLanguage(j, page, locale, tag, 'administration');
    await j.check(page, `administration (${tag})`);
    assert.equal(await text(page.getByRole('heading', { level: 1 })), 'Administration');
    const main = page.locator('main');
    for (const section of [tr(locale, "Journal d'audit", 'Audit log'), tr(locale, 'Comptes', 'Accounts'),
                           tr(locale, 'Import du recensement', 'Census import'), tr(locale, 'Quartiers', 'Districts'),
                           tr(locale, 'Vérification au guichet', 'Counter verification')])
      assert.equal(await main.getByRole('link', { name: section, exact: true }).count(), 1, `a link to ${section}`);

    // The census page.
    await main.getByRole('link', { name: tr(locale, 'Import du recensement', 'Census import'), exact: true }).click();
    await page.waitForURL(/\/admin\/census$/);
    await j.check(page, `census import (${tag})`);
    const sizeBefore = await censusSize(page);
    assert.ok(sizeBefore >= 400, 'the demo census is there');

    // Five new people, one (line 4 of the file, the header being line 1)
    // with a date that does not exist.
    const fileName = `census-${tag}.csv`;
    const csv = Buffer.from([
      'document_number,birth_date,postal_code,district',
      `NEW${TAG}001,1980-01-15,45000,centre`,
      `NEW${TAG}002,1975-07-02,45100,rive-gauche`,
      `NEW${TAG}003,1990-02-30,45160,les-vignes`,
      `NEW${TAG}004,2001-11-30,45200,port`,
      `NEW${TAG}005,12/03/1966,45000,centre`,
      '',
    ].join('\n'));
    const fileField = page.getByLabel(tr(locale, 'Fichier du recensement', 'Census file'));
    const skipBox = page.getByLabel(tr(locale, 'Importer les lignes valides et ignorer les lignes en erreur',
                                       'Import the valid lines and skip the bad ones'));
    const importButton = page.getByRole('button', { name: tr(locale, 'Importer', 'Import'), exact: true });
    assert.equal(await skipBox.isChecked(), false, 'all or nothing by default');

    // 1. All or nothing: refused, line 4 reported.
    await fileField.setInputFiles({ name: fileName, mimeType: 'text/csv', buffer: csv });
    await importButton.click();
    await page.waitForURL(/\/admin\/census\/imports\/\d+$/);
    const refusedUrl = page.url();
    const refusedId = refusedUrl.match(/(\d+)$/)[1];
    await waitForImport(j, page, locale, javaScript, tag);
    await j.check(page, `census import, refused (${tag})`);
    assert.equal(await text(page.getByRole('heading', { level: 1 })),
                 `${tr(locale, `Import no ${refusedId}`, `Import #${refusedId}`)} — ${fileName}`);
    assert.equal(await text(fact(page, tr(locale, 'État', 'Status'))),
                 tr(locale, "refusé, rien n'a été importé", 'refused, nothing imported'));
    assert.equal(await text(fact(page, tr(locale, 'Lignes de données', 'Data lines'))), '5');
    assert.equal(await text(fact(page, tr(locale, 'Importées', 'Imported'))), '0');
    assert.equal(await text(fact(page, tr(locale, 'En erreur', 'Bad lines'))), '1');
    assert.match(await text(page.getByRole('alert')),
                 tr(locale, /^Rien n'a été importé : le fichier contient des erreurs\./, /^Nothing was imported: the file has errors\./));
    const errorRows = page.getByRole('table').getByRole('row').filter({ has: page.getByRole('cell') });
    assert.equal(await errorRows.count(), 1, 'one bad line listed');
    assert.equal(await text(errorRows.first().getByRole('rowheader')), '4');
    assert.match(await text(errorRows.first().getByRole('cell')),
                 tr(locale, /^Date de naissance : « 1990-02-30 » n'est pas une date réelle\.$/,
                    /^Birth date: “1990-02-30” is not a real date\.$/));

    // 2. Sent again, the bad line skipped: 4 imported.
    await page.getByRole('link', { name: tr(locale, 'Envoyer un fichier', 'Send a file') }).click();
    await page.waitForURL(/\/admin\/census$/);
    await j.check(page, `census import, after a refusal (${tag})`);
    assert.equal(await censusSize(page), sizeBefore, 'nothing was imported');
    const pastImport = page.getByRole('row').filter({ has: page.getByRole('link', { name: `#${refusedId} ${fileName}` }) });
    assert.equal(await pastImport.count(), 1, 'the refused import is among the past imports');
    assert.match(await text(pastImport), tr(locale, /refusé, rien n'a été importé/, /refused, nothing imported/));
    await fileField.setInputFiles({ name: fileName, mimeType: 'text/csv', buffer: csv });
    await skipBox.check();
    await importButton.click();
    await page.waitForURL(/\/admin\/census\/imports\/\d+$/);
    assert.notEqual(page.url(), refusedUrl, 'a new import');
    await waitForImport(j, page, locale, javaScript, tag);
    await j.check(page, `census import, done with a line skipped (${tag})`);
    assert.equal(await text(fact(page, tr(locale, 'État', 'Status'))), tr(locale, 'terminé', 'done'));
    assert.equal(await text(fact(page, tr(locale, 'Importées', 'Imported'))), '4');
    assert.equal(await text(page.locator('main [role="status"]')), tr(locale,
      'Import terminé : 4 inscriptions ajoutées, 0 déjà présentes, 0 mises à jour. Les lignes en erreur ci-dessous ont été ignorées.',
      'Import finished: 4 entries added, 0 already present, 0 updated. The bad lines below were skipped.'));
    assert.equal(await errorRows.count(), 1, 'the skipped line is listed');
    assert.equal(await text(errorRows.first().getByRole('rowheader')), '4');
    const doneId = page.url().match(/(\d+)$/)[1];

    await page.getByRole('link', { name: tr(locale, 'Import du recensement', 'Census import'), exact: true }).click();
    await page.waitForURL(/\/admin\/census$/);
    await j.check(page, `census import, after the import (${tag})`);
    assert.equal(await censusSize(page), sizeBefore + 4, 'four entries added to the census');

    // The audit log: both imports, filtered by action.
    await mainNav(page, locale).getByRole('link', { name: 'Administration' }).click();
    await page.waitForURL(/\/admin$/);
    await j.check(page, `administration, again (${tag})`);
    await main.getByRole('link', { name: tr(locale, "Journal d'audit", 'Audit log') }).click();
    await page.waitForURL(/\/admin\/audit$/);
    await j.check(page, `audit log (${tag})`);
    const started = page.getByRole('row').filter({ hasText: 'census.import_started' })
      .filter({ hasText: new RegExp(`file=${escape(fileName)}; .*skip_bad_rows=yes`) });
    assert.equal(await started.count(), 1, 'the second import is in the log');
    assert.match(await text(started), new RegExp(escape(ADMIN)));
    await page.getByRole('textbox', { name: /^Action/ }).fill('census.imported');
    await page.getByRole('button', { name: tr(locale, 'Filtrer', 'Filter') }).click();
    await page.waitForURL(/\/admin\/audit\?action=census\.imported/);
    await j.check(page, `audit log, filtered (${tag})`);
    const rowOf = (id) => page.getByRole('row').filter({ has: page.getByRole('cell', { name: id, exact: true }) });
    assert.match(await text(rowOf(refusedId)),
                 new RegExp(`census\\.imported ${refusedId} file=${escape(fileName)}; mode=update; status=rejected; lines=5; imported=0; .*bad_lines=1; skip_bad_rows=no`));
    assert.match(await text(rowOf(doneId)),
                 new RegExp(`census\\.imported ${doneId} file=${escape(fileName)}; mode=update; status=done; lines=5; imported=4; .*bad_lines=1; skip_bad_rows=yes`));
    assert.equal(await page.getByRole('row').filter({ hasText: 'census.import_started' }).count(), 0, 'the filter applies');

    // The accounts: the list, then a search.
    await j.visit(page, '/admin', { label: `administration, third time (${tag})` });
    await main.getByRole('link', { name: tr(locale, 'Comptes', 'Accounts'), exact: true }).click();
    await page.waitForURL(/\/admin\/accounts$/);
    await j.check(page, `accounts (${tag})`);
    const accounts = page.getByRole('table');
    for (const email of [ADMIN, CLERK, RESIDENT, NEWCOMER.email])
      assert.equal(await accounts.getByRole('row').filter({ hasText: email }).count(), 1, `${email} is listed`);
    assert.match(await text(accounts.getByRole('row').filter({ hasText: RESIDENT })),
                 tr(locale, /Vérifiée en ligne/, /Verified online/));
    await page.getByLabel(tr(locale, 'Rechercher un compte', 'Find an account')).fill('clerk@');
    await page.getByRole('button', { name: tr(locale, 'Rechercher', 'Search'), exact: true }).click();
    await page.waitForURL(/\/admin\/accounts\?q=clerk/);
    await j.check(page, `accounts, search (${tag})`);
    assert.equal(await accounts.getByRole('row').filter({ has: page.getByRole('cell') }).count(), 1, 'one account found');
    assert.match(await text(accounts), /Claude Accueil/);

    await mainNav(page, locale).getByRole('button', { name: tr(locale, 'Se déconnecter', 'Sign out') }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await j.check(page, `home, signed out (${tag})`);
    await page.context().close();
    j.done();
  });

  test(`staff: the counter clerk verifies a resident's residency (${name})`, async () => {
    const j = journey(f);
    const person = demoPerson(COUNTER_PEOPLE[tag]);
    // newcomer@ of the demo, once; in the other modes someone who has just
    // created an account.
    let who = NEWCOMER;
    if (tag !== 'fr-js') {
      who = { email: `walk-in-${tag}@e2e.fabrique.example`, name: `Passant ${tag}` };
      const visitor = await f.newPage({ locale, javaScript });
      await j.visit(visitor, '/sign-up', { label: `sign-up form (${tag})` });
      await visitor.getByLabel(tr(locale, 'Nom affiché', 'Display name')).fill(who.name);
      await visitor.getByLabel(tr(locale, 'Adresse e-mail', 'Email address')).fill(who.email);
      await visitor.getByLabel(tr(locale, 'Mot de passe', 'Password')).fill('passant-e2e-2026');
      await visitor.getByRole('button', { name: tr(locale, 'Créer mon compte', 'Create my account') }).click();
      await confirmSignUp(f, visitor, { locale, tag, email: who.email, check: j.check });
      await j.check(visitor, `account, just created (${tag})`);
      await visitor.context().close();
    }

    const page = await f.newPage({ locale, javaScript });
    await signInTo(j, page, '/admin/counter', locale, CLERK, tag);
    await inModeLanguage(j, page, locale, tag, 'counter');
    await j.check(page, `counter (${tag})`);
    assert.equal(await text(page.getByRole('heading', { level: 1 })), tr(locale, 'Vérification au guichet', 'Counter verification'));

    // Find the account (keyboard only without JavaScript).
    const search = page.getByLabel(tr(locale, 'Adresse e-mail du compte de la personne', "Email address of the person's account"));
    if (javaScript) {
      await search.fill(who.email);
      await page.getByRole('button', { name: tr(locale, 'Trouver le compte', 'Find the account') }).click();
    } else {
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter'); // the skip link
      await tabTo(page, 'email');
      await page.keyboard.type(who.email);
      await page.keyboard.press('Enter');
    }
    await page.waitForURL(/\/admin\/counter\?email=/);
    await j.check(page, `counter, account found (${tag})`);
    const section = page.getByRole('region', { name: who.name });
    assert.match(await text(section), new RegExp(escape(who.email)));
    assert.match(await text(section), tr(locale, /Non vérifiée/, /Not verified/));

    const documentField = page.getByLabel(tr(locale, "Numéro de la pièce d'identité", 'Identity document number'));
    const birthField = page.getByLabel(tr(locale, 'Date de naissance', 'Date of birth'));
    const postalField = page.getByLabel(tr(locale, 'Code postal du domicile', 'Postal code of the home'));
    const verify = page.getByRole('button', { name: tr(locale, 'Vérifier la résidence', 'Verify the residency') });

    // A misread document first.
    await documentField.fill(person.documentNumber);
    await birthField.fill(person.birthDate);
    await postalField.fill(DISTRICTS[(COUNTER_PEOPLE[tag] + 2) % 4].postal);
    await verify.click();
    await page.getByRole('alert').waitFor();
    await j.check(page, `counter, no match (${tag})`);
    assert.equal(currentDocument(page).status, 422);
    assert.match(await text(page.getByRole('alert')), tr(locale,
      /^Personne au recensement n'a ensemble ce numéro de document, cette date de naissance et ce code postal\./,
      /^No one on the census has this document number, birth date and postal code together\./));

    // The right details.
    await postalField.fill(person.postalCode);
    await verify.click();
    // Back to an empty counter page (no account named by its id in the address).
    await page.waitForURL(/\/admin\/counter$/);
    await j.check(page, `counter, verified (${tag})`);
    const district = person.district[locale];
    assert.equal(await text(page.locator('main [role="status"]')),
                 tr(locale, `Le compte de ${who.name} est vérifié (${district}).`, `The account of ${who.name} is verified (${district}).`));
    assert.equal(await documentField.count(), 0, 'no form once verified');
    await page.context().close();
    j.done();
  });

  test(`staff: a resident who tries /admin gets the 403 page (${name})`, async () => {
    const j = journey(f);
    const page = await f.newPage({ locale, javaScript });
    await j.visit(page, '/admin', { label: `/admin signed out → sign-in (${tag})` });
    await signIn(page, locale, RESIDENT);
    // Signed in, the resident is sent back to /admin, which is not for them.
    assert.equal(new URL(page.url()).pathname, '/admin');
    assert.equal(currentDocument(page).status, 403);
    await inModeLanguage(j, page, locale, tag, '403 page');
    assert.equal(currentDocument(page).status, 403);
    await j.check(page, `403 page (${tag})`);
    assert.match(await page.title(), tr(locale, /^Erreur — /, /^Error — /));
    assert.equal(await text(page.getByRole('heading', { level: 1 })), tr(locale, 'Erreur', 'Error'));
    assert.match(await text(page.locator('main')), new RegExp(escape(tr(locale,
      'Votre compte ne donne pas accès à cette page.', 'Your account does not give access to this page.'))));
    assert.equal(await mainNav(page, locale).getByRole('link', { name: 'Administration' }).count(), 0,
                 'no link to the administration for a resident');
    await page.getByRole('link', { name: tr(locale, "Retour à l'accueil", 'Back to the home page') }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await j.check(page, `home, from the 403 page (${tag})`);
    assert.equal(await pageLanguage(page), locale);
    await page.context().close();
    j.done();
  });
}
