// Issue 4, the participatory budget from end to end, in the browser: the
// administrator sets up a two-district process (a form with an error first);
// residents sign up (and confirm their address through the link of the
// mail), verify their residency and propose projects; the
// administrator opens the review; the reviewer finds every project feasible
// but one, whose public reason shows on its page; the administrator opens
// the vote; twenty residents vote (two first ask for the other district's
// ballot, two first choose more than the budget, one changes their ballot);
// the counter clerk enters a paper ballot for a census person with no account
// and is refused one for a resident who has just voted online; the
// administrator closes the vote, compares the rules and publishes; the public
// results show, per district, the funded projects, an explanation for every
// project, the chart and the turnout; each district's exported .pb, counted by
// `fabrique pb count --rule official`, funds what /api/budgets/{slug}/results
// says. Every page reached is checked by axe (WCAG 2 A/AA and best practices:
// 0 violations), the pages a step repeats for many residents once per mode.
//
// Two modes, to keep the file under four minutes: French with JavaScript on
// (the budget meter must follow the choices live) and English with JavaScript
// off (the meter is recomputed by the server on "Update the total"). Both
// languages and both JavaScript settings are covered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertNoErrors, currentDocument, runFabrique, useFabrique } from './harness.mjs';
import { DISTRICTS, MODES, confirmSignUp, demoPerson, escape, journey, mailedLink, mainNav, tr } from './journeys.mjs';

// Forty residents sign up from one address (127.0.0.1), four at a time: the
// sign-up limits and the hashing queue are widened for them (their defaults
// are tested in tests/abuse).
const f = useFabrique({
  prepare: ({ databaseUrl, run }) => run(['demo', '--database', databaseUrl]),
  args: ['--signups-per-address', '1000', '--signups-per-minute', '1000',
         '--hashes-at-once', '4', '--hash-queue', '16'],
});

const JOURNEY_MODES = MODES.filter((m) => m.tag === 'fr-js' || m.tag === 'en-nojs');

const DEMO_PASSWORD = 'demo-fabrique-2026';
const ADMIN = 'admin@demo.fabrique.example';
const REVIEWER = 'reviewer@demo.fabrique.example';
const CLERK = 'clerk@demo.fabrique.example';
const RESIDENT_PASSWORD = 'budget-e2e-2026';

// The budgets of the two districts (knapsack: a ballot's projects must fit).
const BUDGET = { centre: 60000, port: 40000 };
// Counting rule per mode: each mode counts with another rule.
const RULE = { 'fr-js': 'mes', 'en-nojs': 'greedy' };

// Census people, none used by the other journeys (journey_resident: 11…17,
// journey_staff: 21…27, the demo's resident@: 2): 100…199 for fr-js,
// 200…299 for en-nojs. Ten of the centre, ten of the port, all old enough to
// vote (16 on the day the vote opens; the demo census has people born up to
// 2012), and one more of the centre who has no account (the paper ballot).
function censusPeople(from) {
  const oldEnough = (i) => Number(demoPerson(i).year) <= new Date().getUTCFullYear() - 17;
  const pick = (slug) => {
    const out = [];
    for (let i = from; out.length < 11; i++) if (demoPerson(i).district.slug === slug && oldEnough(i)) out.push(i);
    return out;
  };
  const centre = pick('centre');
  return { centre: centre.slice(0, 10), port: pick('port').slice(0, 10), paper: centre[10] };
}
const CENSUS = { 'fr-js': censusPeople(100), 'en-nojs': censusPeople(200) };

// The projects the residents propose (key → district, cost, title), and the
// one the reviewer finds not feasible.
function projectsOf(locale) {
  return {
    A: { district: 'centre', cost: 30000, title: tr(locale, 'Jardin partagé des Écoles', 'Shared garden by the schools') },
    B: { district: 'centre', cost: 20000, title: tr(locale, 'Bancs sur la place du Marché', 'Benches on Market Square') },
    C: { district: 'centre', cost: 25000, title: tr(locale, 'Fontaine à boire au parc', 'Drinking fountain in the park') },
    X: { district: 'centre', cost: 55000, title: tr(locale, 'Téléphérique vers la gare', 'Cable car to the station') },
    D: { district: 'port', cost: 25000, title: tr(locale, 'Pontons pour les kayaks', 'Kayak pontoons') },
    E: { district: 'port', cost: 15000, title: tr(locale, 'Éclairage du quai', 'Lighting on the quay') },
    F: { district: 'port', cost: 20000, title: tr(locale, 'Aire de jeux du bassin', 'Playground by the dock') },
  };
}
const INFEASIBLE = 'X';
// Who proposes what: centre residents 0…3, port residents 0…2.
const AUTHORS = { A: ['centre', 0], B: ['centre', 1], C: ['centre', 2], X: ['centre', 3],
                  D: ['port', 0], E: ['port', 1], F: ['port', 2] };

// The final ballots, chosen so that no two projects of a district tie under
// greedy: centre B 8, A 7, C 5 (with the paper ballot A+C); port E 9, D 6, F 4.
const FINAL_BALLOTS = {
  centre: [['A', 'B'], ['B', 'C'], ['A', 'B'], ['B', 'C'], ['A', 'C'], ['A', 'B'], ['B', 'C'], ['A'], ['A', 'B'], ['B']],
  port: [['D', 'E'], ['E', 'F'], ['E', 'F'], ['D', 'E'], ['E', 'F'], ['D'], ['D', 'E'], ['D', 'E'], ['D', 'E'], ['E', 'F']],
};
const PAPER_BALLOT = ['A', 'C'];
const CHANGED_FIRST = ['A']; // centre resident 3 votes this first, then B+C
const GREEDY_FUNDED = { centre: ['B', 'A'], port: ['E', 'D'] };

// Texts are compared with their spaces collapsed, the no-break ones of
// French typography too (JavaScript's \s): scripts/check-typography checks
// those in the templates and messages themselves.
const text = async (locator) => ((await locator.textContent()) || '').replace(/\s+/g, ' ').trim();

// format_amount (src/core/money.cpp) as the page shows it once spaces are
// collapsed: "60 000 €" in French, "€60,000" in English.
function amount(locale, n) {
  const grouped = String(n).replace(/\B(?=(\d{3})+(?!\d))/g, locale === 'fr' ? ' ' : ',');
  return locale === 'fr' ? `${grouped} €` : `€${grouped}`;
}

function isoDay(daysFromToday) {
  return new Date(Date.now() + daysFromToday * 86400000).toISOString().slice(0, 10);
}

const districtName = (locale, slug) => DISTRICTS.find((d) => d.slug === slug)[locale];

// A .pb file's sections: META as {key: value}, PROJECTS and VOTES as rows
// keyed by their header line.
function pabulibSections(body) {
  const out = { meta: {}, projects: [], votes: [] };
  let section = null;
  let header = null;
  for (const line of body.split(/\r?\n/)) {
    if (line === '') continue;
    if (['META', 'PROJECTS', 'VOTES'].includes(line)) {
      section = line;
      header = null;
      continue;
    }
    const cells = line.split(';');
    if (!header) {
      header = cells;
      continue;
    }
    const row = Object.fromEntries(header.map((h, k) => [h, cells[k]]));
    if (section === 'META') out.meta[cells[0]] = cells[1];
    else if (section === 'PROJECTS') out.projects.push(row);
    else if (section === 'VOTES') out.votes.push(row);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Staff

// A staff member signed in on their own page, on `path`, in the mode's
// language: the demo accounts chose French, so in English the header's
// language link switches (the page in French was checked by journey_staff).
async function staffPage(j, { locale, javaScript, tag }, email, path, { checkSignIn = false } = {}) {
  const page = await f.newPage({ locale, javaScript });
  await j.visit(page, path, { label: `${path} signed out → sign-in (${tag})`, axe: checkSignIn });
  assert.equal(new URL(page.url()).pathname, '/sign-in', `${path} asks to sign in first`);
  await page.getByLabel(tr(locale, 'Adresse e-mail', 'Email address')).fill(email);
  await page.getByLabel(tr(locale, 'Mot de passe', 'Password'), { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: tr(locale, 'Se connecter', 'Sign in') }).click();
  await page.waitForURL((url) => url.pathname === path);
  if (locale !== 'fr') {
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr', 'the demo accounts chose French');
    await mainNav(page, 'fr').getByRole('link', { name: 'English' }).click();
    await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
    assert.equal(new URL(page.url()).pathname, path, 'the language link comes back to the same page');
  }
  return page;
}

async function flash(page) {
  return text(page.locator('main [role="status"]').first());
}

// On /admin/budgets/{slug}/edit: "Open the next phase now".
async function openNextPhase(j, page, mode, slug, phaseFr, phaseEn) {
  const { locale, tag } = mode;
  await j.visit(page, `/admin/budgets/${slug}/edit`, { label: `process settings (${tag})`, axe: false });
  await page.getByRole('link', { name: tr(locale, 'Ouvrir la phase suivante maintenant', 'Open the next phase now') }).click();
  // A page says what will happen, and asks.
  await page.waitForURL((url) => url.pathname === `/admin/budgets/${slug}/next-phase`);
  await j.check(page, `next phase, to confirm: ${phaseEn} (${tag})`);
  assert.equal(await text(page.getByRole('heading', { level: 1 })),
               tr(locale, `Ouvrir la phase « ${phaseFr} » maintenant ?`, `Open the phase “${phaseEn}” now?`));
  await page.getByRole('button', { name: tr(locale, `Ouvrir la phase « ${phaseFr} »`, `Open the phase “${phaseEn}”`) }).click();
  await page.waitForURL((url) => url.pathname === `/admin/budgets/${slug}/edit`);
  await j.check(page, `process settings, phase opened: ${phaseEn} (${tag})`);
  assert.equal(await flash(page), tr(locale, `Phase ouverte : ${phaseFr}.`, `Phase opened: ${phaseEn}.`));
  assert.equal(await text(page.locator('main .phase').first()), tr(locale, phaseFr, phaseEn));
}

// ---------------------------------------------------------------------------
// Residents

// Signs up and verifies the residency of census person i, in a browser
// context of their own, kept open for the rest of the journey; resolves
// {email, name, person, page}. With check, in the browser, every page audited
// by axe. Without, the same forms are sent from the context's own HTTP client
// (its cookies, its Accept-Language), with no page rendered: the server sees
// the same requests, CSRF tokens, mailed link and all; only Chromium's work
// of drawing twenty identical pages is spared (half the journey's time).
async function newResident(j, mode, i, n, { check = false } = {}) {
  const { locale, javaScript, tag } = mode;
  const person = demoPerson(i);
  const who = { email: `budget-${tag}-${i}@e2e.fabrique.example`, name: `${tr(locale, 'Habitant', 'Resident')} ${tag} ${n}`, person };
  const page = await f.newPage({ locale, javaScript });
  who.page = page;
  if (!check) {
    await signUpOverHttp(page.request, who, locale);
    return who;
  }
  await j.visit(page, '/sign-up', { label: `sign-up form (${tag})` });
  await page.getByLabel(tr(locale, 'Nom affiché', 'Display name')).fill(who.name);
  await page.getByLabel(tr(locale, 'Adresse e-mail', 'Email address')).fill(who.email);
  await page.getByLabel(tr(locale, 'Mot de passe', 'Password')).fill(RESIDENT_PASSWORD);
  await page.getByRole('button', { name: tr(locale, 'Créer mon compte', 'Create my account') }).click();
  await confirmSignUp(f, page, { locale, tag, email: who.email, check: (p, label) => j.check(p, label) });
  await j.check(page, `account, just created (${tag})`);
  await page.getByRole('link', { name: tr(locale, 'Vérifier ma résidence', 'Verify my residency') }).click();
  await page.waitForURL(/\/account\/residency$/);
  await j.check(page, `residency form (${tag})`);
  await page.getByLabel(tr(locale, "Numéro de la pièce d'identité", 'Identity document number')).fill(person.documentNumber);
  await page.getByLabel(tr(locale, 'Date de naissance', 'Date of birth')).fill(person.birthDate);
  await page.getByLabel(tr(locale, 'Code postal de votre domicile', 'Postal code of your home')).fill(person.postalCode);
  await page.getByRole('button', { name: tr(locale, 'Vérifier ma résidence', 'Verify my residency') }).click();
  await page.waitForURL(/\/account$/);
  await j.check(page, `account, verified (${tag})`);
  assert.equal(await text(page.locator('main .status-verified')),
               `${tr(locale, 'Résidence vérifiée', 'Residency verified')} — ${person.district[locale]}`);
  return who;
}

// The three forms newResident fills in the browser (sign-up, the mailed
// link's confirmation, residency), sent by `request` (a context's
// APIRequestContext): each form fetched first for its CSRF token, each answer
// followed to the page the browser would reach.
async function signUpOverHttp(request, who, locale) {
  const { person } = who;
  const fetchForm = async (path, fields) => {
    const response = await request.get(path);
    assert.equal(response.status(), 200, `GET ${path}`);
    const html = await response.text();
    const values = {};
    for (const name of fields) {
      const found = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
      assert.ok(found, `${path}: a ${name} field`);
      values[name] = found[1];
    }
    return values;
  };
  const send = async (path, form, landing) => {
    const response = await request.post(path, { form });
    assert.equal(response.status(), 200, `POST ${path}: ${response.status()}`);
    assert.equal(new URL(response.url()).pathname, landing, `POST ${path} leads to ${landing}`);
    return response.text();
  };
  await send('/sign-up', { ...(await fetchForm('/sign-up', ['csrf'])), display_name: who.name, email: who.email,
                           password: RESIDENT_PASSWORD }, '/sign-up');
  const link = await mailedLink(f.server, who.email, '/sign-up/confirm');
  await send('/sign-up/confirm', await fetchForm(link, ['csrf', 'token']), '/account');
  const account = await send('/account/residency', { ...(await fetchForm('/account/residency', ['csrf'])),
    document_number: person.documentNumber, birth_date: person.birthDate, postal_code: person.postalCode }, '/account');
  assert.match(account, new RegExp(`${tr(locale, 'Résidence vérifiée', 'Residency verified')} — ${escape(person.district[locale])}`),
               `${who.email}: residency verified`);
}


// On a ballot page: the checkbox of a project ("Title — cost").
function projectBox(page, project) {
  return page.getByRole('checkbox', { name: new RegExp(`^${escape(project.title)} — `) });
}

async function meterTotal(page) {
  return text(page.locator('.budget-meter [data-meter-total]').first());
}

// Ticks exactly these projects of the ballot (the others unticked).
async function choose(page, projects, keys, district) {
  for (const [key, project] of Object.entries(projects)) {
    if (project.district !== district || key === INFEASIBLE) continue;
    const box = projectBox(page, project);
    if (keys.includes(key)) await box.check();
    else await box.uncheck();
  }
}

// Review, then cast: resolves the receipt code.
// With `total` and `budget`, the review page's total is checked too.
async function reviewAndCast(j, page, mode, { check = false, replaced = false, unitName, total, budget } = {}) {
  const { locale, tag } = mode;
  await page.getByRole('button', { name: tr(locale, 'Relire mon bulletin avant de voter', 'Review my ballot before voting') }).click();
  await page.getByRole('heading', { level: 1, name: tr(locale, 'Relisez votre bulletin', 'Review your ballot') }).waitFor();
  if (check) await j.check(page, `ballot review (${tag})`);
  else assertNoErrors(page, `ballot review (${tag})`);
  if (total !== undefined) {
    const choices = page.getByRole('region', { name: tr(locale, 'Vos choix', 'Your choices') });
    const percent = Math.floor((total * 100) / budget);
    expectText(j, (await choices.locator('p').last().innerText()).replace(/\s+/g, ' ').trim(), tr(locale,
      `Total : ${amount(locale, total)} sur ${amount(locale, budget)} (${percent} %).`,
      `Total: ${amount(locale, total)} of ${amount(locale, budget)} (${percent}%).`), `the total on the ballot review (${tag})`);
  }
  await page.getByRole('button', { name: tr(locale, 'Voter', 'Cast my ballot'), exact: true }).click();
  await page.getByRole('heading', { level: 1, name: tr(locale, "Votre bulletin est dans l'urne", 'Your ballot is in the ballot box') }).waitFor();
  if (check) await j.check(page, `ballot cast (${tag}${replaced ? ', replacing the previous one' : ''})`);
  else assertNoErrors(page, `ballot cast (${tag})`);
  assert.equal(await flash(page), replaced
    ? tr(locale, `Votre nouveau bulletin pour ${unitName} remplace le précédent, qui ne compte plus.`,
         `Your new ballot for ${unitName} replaces the previous one, which no longer counts.`)
    : tr(locale, `Votre bulletin pour ${unitName} est enregistré.`, `Your ballot for ${unitName} is cast.`));
  const receipt = await text(page.locator('main .receipt'));
  assert.match(receipt, /^[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}$/, 'a receipt code');
  return receipt;
}

// The ballot of district `district`, reached with the process page's Vote
// link or directly.
async function openBallot(j, page, mode, slug, district, { check = false, label } = {}) {
  const { locale, tag } = mode;
  await j.visit(page, `/budgets/${slug}/vote`, { label: label || `ballot (${tag})`, axe: check });
  const unitName = districtName(locale, district);
  assert.equal(await text(page.getByRole('heading', { level: 1 })),
               tr(locale, `Mon bulletin : ${unitName}`, `My ballot: ${unitName}`));
  return unitName;
}

// Asks for the other district's ballot: the refusal, then the link to one's own.
async function wrongDistrict(j, page, mode, slug, own, { check = false } = {}) {
  const { locale, tag } = mode;
  const other = own === 'centre' ? 'port' : 'centre';
  await j.visit(page, `/budgets/${slug}/vote?district=${other}`, { label: `ballot of another district (${tag})`, axe: check });
  assert.equal(currentDocument(page).status, 200);
  assert.equal(await text(page.getByRole('heading', { level: 1 })), tr(locale, 'Vous ne pouvez pas voter ici', 'You cannot vote here'));
  const mine = districtName(locale, own);
  const theirs = districtName(locale, other);
  assert.equal(await text(page.getByRole('alert')), tr(locale,
    `Vous habitez ${mine} : vous pouvez voter pour les projets de ${mine}, pas pour ceux de ${theirs}.`,
    `You live in ${mine}: you can vote for the projects of ${mine}, not for those of ${theirs}.`));
  assert.equal(await page.getByRole('checkbox').count(), 0, 'no ballot to fill in');
  await page.getByRole('link', { name: mine, exact: true }).click();
  await page.waitForURL((url) => url.pathname === `/budgets/${slug}/vote` && url.searchParams.get('district') === own);
  assertNoErrors(page, `ballot, from the refusal (${tag})`);
  assert.equal(await text(page.getByRole('heading', { level: 1 })), tr(locale, `Mon bulletin : ${mine}`, `My ballot: ${mine}`));
}

// Chooses more than the district's budget: the meter says so (live with
// JavaScript, on "Update the total" without), review is refused with the
// amounts; the resident takes one project out and casts the ballot.
async function overBudget(j, page, mode, projects, district, keys, fixed, { check = false } = {}) {
  const { locale, javaScript, tag } = mode;
  const unitName = districtName(locale, district);
  await choose(page, projects, keys, district);
  const total = keys.reduce((sum, k) => sum + projects[k].cost, 0);
  const overText = page.locator('.budget-meter [data-meter-over-text]').first();
  if (!javaScript || !(await liveMeter(j, page, amount(locale, total), `over the budget (${tag})`)))
    await updateTotal(page, mode, projects, keys, total);
  if (await overText.isVisible())
    expectText(j, await text(overText), tr(locale,
      `Dépassement du budget : ${amount(locale, total - BUDGET[district])}. Retirez des projets avant de voter.`,
      `Over the budget by: ${amount(locale, total - BUDGET[district])}. Remove projects before voting.`),
      `the meter of a ballot over the budget (${tag})`);
  else j.problems.push(`over-budget ballot (${tag}): the meter does not say the choices are over the budget`);

  await page.getByRole('button', { name: tr(locale, 'Relire mon bulletin avant de voter', 'Review my ballot before voting') }).click();
  await page.getByRole('alert').waitFor();
  if (check) await j.check(page, `ballot over the budget, refused (${tag})`);
  else assertNoErrors(page, `ballot over the budget, refused (${tag})`);
  assert.equal(currentDocument(page).status, 422);
  const alert = page.getByRole('alert');
  assert.equal(await text(alert.getByRole('heading')),
               tr(locale, 'Le bulletin ne peut pas être enregistré ainsi', 'The ballot cannot be cast as it is'));
  const message = tr(locale,
    `Les projets choisis coûtent ${amount(locale, total)}, soit ${amount(locale, total - BUDGET[district])} de plus que le budget de ${unitName} (${amount(locale, BUDGET[district])}). Retirez des projets jusqu'à ce que le total tienne.`,
    `The projects you chose cost ${amount(locale, total)}, which is ${amount(locale, total - BUDGET[district])} more than the budget of ${unitName} (${amount(locale, BUDGET[district])}). Remove projects until the total fits.`);
  assert.equal(await text(alert.getByRole('link')), message);
  for (const k of keys) assert.equal(await projectBox(page, projects[k]).isChecked(), true, 'the choices are kept to be fixed');
  await choose(page, projects, fixed, district);
  return reviewAndCast(j, page, mode, { unitName });
}

// Without JavaScript (or when the live meter did not follow): "Update the
// total" posts the ballot; the server recomputes the meter, the choices kept.
async function updateTotal(page, { locale }, projects, keys, total) {
  await page.getByRole('button', { name: tr(locale, 'Recalculer le total', 'Update the total') }).click();
  await page.waitForLoadState('load');
  assert.equal(currentDocument(page).status, 200);
  assert.equal(await meterTotal(page), amount(locale, total), 'the server recomputed the total');
  for (const k of keys) assert.equal(await projectBox(page, projects[k]).isChecked(), true, 'the choices are kept');
}

// A wording that is not what it should be does not stop the journey: it is
// reported with the rest at the end.
function expectText(j, actual, expected, what) {
  if (actual !== expected) j.problems.push(`${what}: “${actual}”, expected “${expected}”`);
}

// With JavaScript: the meter follows the choices without a request.
async function liveMeter(j, page, expected, what) {
  await page.evaluate(() => { window.fabriqueSameDocument = true; });
  try {
    await page.waitForFunction(
      (want) => (document.querySelector('.budget-meter [data-meter-total]')?.textContent || '').replace(/\s+/g, ' ').trim() === want,
      expected, { timeout: 3000 });
  } catch {
    j.problems.push(`live budget meter, ${what}: the meter still shows “${await meterTotal(page)}”, not “${expected}”, ` +
                    '3 s after the choice (no live meter in fabrique.js?)');
    return false;
  }
  assert.equal(await page.evaluate(() => window.fabriqueSameDocument), true, 'the meter changed without loading a page');
  return true;
}

// The receipt form posts the code (never in the address); a replaced
// ballot's receipt is found like the last one's.
async function checkReceipt(j, page, mode, slug, code, found, { check = false } = {}) {
  const { locale, tag } = mode;
  await j.visit(page, `/budgets/${slug}/receipt`, { label: `receipt check (${tag})`, axe: check });
  await page.getByLabel(tr(locale, 'Code de reçu', 'Receipt code')).fill(code);
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/budgets/${slug}/receipt`)),
    page.getByRole('button', { name: tr(locale, 'Vérifier', 'Check'), exact: true }).click(),
  ]);
  await page.locator('main [role="status"]').waitFor();
  assert.ok(!page.url().includes('code='), 'the receipt code is never in the address');
  if (check) await j.check(page, `receipt checked (${tag}, ${found ? 'found' : 'not found'})`);
  else assertNoErrors(page, 'receipt checked');
  assert.equal(await text(page.locator('main [role="status"]')), found
    ? tr(locale, "Un bulletin portant ce reçu a été déposé dans l'urne.", 'A ballot with this receipt was put in the ballot box.')
    : tr(locale,
         "Aucun bulletin de ce budget participatif n'a reçu ce code. Vérifiez le code et le budget participatif : un reçu ne vaut que pour le budget où il a été remis.",
         'No ballot of this participatory budget was given this code. Check the code and the participatory budget: a receipt is valid only for the budget where it was given.'));
}

// ---------------------------------------------------------------------------

for (const mode of JOURNEY_MODES) {
  const { locale, javaScript, tag, name } = mode;

  test(`budget: set up, propose, review, vote online and at the counter, count, publish, recount (${name})`, async () => {
    const j = journey(f);
    const slug = `journey-${tag}`;
    const projects = projectsOf(locale);
    const census = CENSUS[tag];
    const rule = RULE[tag];

    // 1. The administrator sets up the process.
    const admin = await staffPage(j, mode, ADMIN, '/admin/budgets', { checkSignIn: true });
    await j.check(admin, `staff's budgets (${tag})`);
    await admin.getByRole('link', { name: tr(locale, 'Créer un budget participatif', 'Set up a participatory budget') }).click();
    await admin.waitForURL(/\/admin\/budgets\/new$/);
    await j.check(admin, `new process form (${tag})`);
    await admin.getByLabel(tr(locale, "Nom dans l'adresse web", 'Name in the web address')).fill(slug);
    await admin.getByLabel(tr(locale, 'Titre en français', 'Title in French')).fill(`Budget du parcours ${tag}`);
    await admin.getByLabel(tr(locale, 'Titre en anglais', 'Title in English')).fill(`Journey budget ${tag}`);
    await admin.getByLabel(tr(locale, 'Description en français', 'Description in French'))
      .fill('Deux quartiers, le centre et le port, choisissent leurs projets.');
    await admin.getByLabel(tr(locale, 'Description en anglais', 'Description in English'))
      .fill('Two districts, the centre and the harbour, choose their projects.');
    await admin.getByLabel(districtName(locale, 'centre'), { exact: true }).fill(String(BUDGET.centre));
    await admin.getByLabel(districtName(locale, 'port'), { exact: true }).fill(String(BUDGET.port));
    // A total that is not the sum first.
    await admin.getByLabel(tr(locale, 'Montant total', 'Total amount')).fill('90000');
    await admin.getByLabel(tr(locale, 'Ouverture des propositions', 'Proposals open')).fill(isoDay(-1));
    await admin.getByLabel(tr(locale, 'Type de bulletin', 'Kind of ballot')).selectOption('knapsack');
    await admin.getByLabel(tr(locale, 'Règle de dépouillement', 'Counting rule')).selectOption(rule);
    const create = admin.getByRole('button', { name: tr(locale, 'Créer le budget participatif', 'Set up the participatory budget') });
    await create.click();
    await admin.getByRole('alert').waitFor();
    await j.check(admin, `new process form with an error (${tag})`);
    assert.equal(currentDocument(admin).status, 422);
    const totalMessage = tr(locale,
      `Le montant total (${amount(locale, 90000)}) doit être égal à la somme des montants des quartiers et de toute la ville (${amount(locale, 100000)}).`,
      `The total amount (${amount(locale, 90000)}) must equal the districts' amounts plus the city-wide one (${amount(locale, 100000)}).`);
    assert.equal(await text(admin.getByRole('alert').getByRole('link')), totalMessage);
    const totalField = admin.getByLabel(tr(locale, 'Montant total', 'Total amount'));
    assert.equal(await totalField.getAttribute('aria-invalid'), 'true');
    assert.equal(await admin.getByLabel(districtName(locale, 'port'), { exact: true }).inputValue(), String(BUDGET.port), 'what was typed is kept');
    await totalField.fill('100000');
    await create.click();
    await admin.waitForURL((url) => url.pathname === `/admin/budgets/${slug}/edit`);
    await j.check(admin, `process settings, just created (${tag})`);
    assert.equal(await flash(admin), tr(locale, 'Le budget participatif est créé.', 'The participatory budget is set up.'));
    assert.equal(await text(admin.locator('main .phase').first()), tr(locale, 'Propositions', 'Proposals'));

    // 2. Twenty residents sign up and verify their residency.
    const residents = { centre: [], port: [] };
    residents.centre.push(await newResident(j, mode, census.centre[0], 1, { check: true }));
    const rest = [...census.centre.slice(1).map((i) => ['centre', i]), ...census.port.map((i) => ['port', i])];
    for (let at = 0; at < rest.length; at += 4) {
      const batch = rest.slice(at, at + 4);
      const made = await Promise.all(batch.map(([, i], k) => newResident(j, mode, i, at + k + 2)));
      batch.forEach(([district], k) => residents[district].push(made[k]));
    }
    assert.equal(residents.centre.length + residents.port.length, 20);

    // 3. Proposals: the first through the process page, the others directly.
    const ids = {};
    for (const [key, [district, n]] of Object.entries(AUTHORS)) {
      const project = projects[key];
      const page = residents[district][n].page;
      const first = key === 'A';
      if (first) {
        await j.visit(page, `/budgets/${slug}`, { label: `process page, proposals open (${tag})` });
        assert.equal(await text(page.getByRole('heading', { level: 1 })), tr(locale, `Budget du parcours ${tag}`, `Journey budget ${tag}`));
        await page.getByRole('link', { name: tr(locale, 'Proposer un projet', 'Propose a project') }).click();
        await page.waitForURL(/\/propose$/);
        await j.check(page, `proposal form (${tag})`);
      } else {
        await j.visit(page, `/budgets/${slug}/propose`, { label: `proposal form (${tag})`, axe: false });
      }
      const unit = page.getByLabel(tr(locale, 'Quartier du projet', 'District of the project'));
      assert.equal(await text(unit.locator('option:checked')), `${districtName(locale, district)} (${amount(locale, BUDGET[district])})`,
                   "the resident's own district");
      await page.getByRole('textbox', { name: tr(locale, /^Titre /, /^Title /) }).fill(project.title);
      await page.getByRole('textbox', { name: /^Description / }).fill(tr(locale,
        `${project.title} : un projet proposé par les habitants du quartier, pour tous.`,
        `${project.title}: a project proposed by the residents of the district, for everyone.`));
      await page.getByLabel(tr(locale, 'Coût estimé, en euros', 'Estimated cost, in euros')).fill(String(project.cost));
      await page.getByRole('button', { name: tr(locale, 'Déposer le projet', 'Submit the project') }).click();
      await page.waitForURL(/\/projects\/\d+$/);
      if (first) await j.check(page, `project page, just proposed (${tag})`);
      else assertNoErrors(page, 'project page, just proposed');
      assert.equal(await text(page.getByRole('heading', { level: 1 })), project.title);
      assert.match(await flash(page), tr(locale, /^Votre projet est déposé\./, /^Your project is submitted\./));
      ids[key] = page.url().match(/(\d+)$/)[1];
    }

    // 4. Review: every project feasible but one, with a public reason.
    await openNextPhase(j, admin, mode, slug, 'Analyse de faisabilité', 'Feasibility review');
    const reviewer = await staffPage(j, mode, REVIEWER, `/admin/budgets/${slug}/review`);
    await j.check(reviewer, `review list (${tag})`);
    const reason = tr(locale,
      "Le terrain de la gare appartient à l'État : la ville ne peut pas y construire, et le coût dépasse le budget du quartier.",
      "The station's land belongs to the State: the city cannot build on it, and the cost is beyond the district's budget.");
    let firstReview = true;
    for (const key of Object.keys(AUTHORS)) {
      await reviewer.getByRole('link', { name: `${tr(locale, 'Analyser', 'Review')} #${ids[key]}`, exact: true }).click();
      await reviewer.waitForURL(new RegExp(`/projects/${ids[key]}/review$`));
      if (firstReview) await j.check(reviewer, `review form (${tag})`);
      else assertNoErrors(reviewer, 'review form');
      if (key === INFEASIBLE) {
        await reviewer.getByLabel(tr(locale, 'Non réalisable : explication obligatoire', 'Not feasible: an explanation is required')).check();
        await reviewer.getByLabel(tr(locale, 'Explication publique', 'Public explanation')).fill(reason);
      } else {
        await reviewer.getByLabel(tr(locale, 'Réalisable : le projet sera soumis au vote', 'Feasible: the project will be put to the vote')).check();
      }
      await reviewer.getByRole('button', { name: tr(locale, "Enregistrer l'analyse et prévenir l'auteur", 'Save the review and notify the author') }).click();
      await reviewer.waitForURL((url) => url.pathname === `/admin/budgets/${slug}/review`);
      if (firstReview) await j.check(reviewer, `review list, a project reviewed (${tag})`);
      else assertNoErrors(reviewer, 'review list');
      assert.equal(await flash(reviewer), tr(locale, "L'analyse est enregistrée et l'auteur est prévenu par e-mail.",
                                             'The review is saved and the author is notified by e-mail.'));
      firstReview = false;
    }
    const row = (key) => reviewer.getByRole('row').filter({ has: reviewer.getByRole('link', { name: `#${ids[key]} ${projects[key].title}` }) });
    assert.match(await text(row(INFEASIBLE)), tr(locale, /Non réalisable/, /Not feasible/));
    assert.match(await text(row('A')), tr(locale, /Réalisable/, /Feasible/));
    // The reason on the public page of the project.
    await j.visit(reviewer, `/budgets/${slug}/projects/${ids[INFEASIBLE]}`, { label: `project page, not feasible (${tag})` });
    const review = reviewer.getByRole('region', { name: tr(locale, 'Analyse de faisabilité', 'Feasibility review') });
    assert.equal(await text(review.locator('strong')), tr(locale, 'Non réalisable', 'Not feasible'));
    assert.match(await text(review), new RegExp(escape(reason)));

    // 5. The vote.
    await openNextPhase(j, admin, mode, slug, 'Vote', 'Vote');
    const clerk = await staffPage(j, mode, CLERK, `/admin/budgets/${slug}/counter`);
    await j.check(clerk, `counter ballots (${tag})`);
    const receipts = [];

    // Centre resident 0: through the process page; the meter, live with
    // JavaScript, recomputed by the server without.
    {
      const who = residents.centre[0];
      const { page } = who;
      await j.visit(page, `/budgets/${slug}`, { label: `process page, vote open (${tag})` });
      assert.equal(await page.getByRole('link', { name: tr(locale, 'Proposer un projet', 'Propose a project') }).count(), 0);
      const listed = page.locator('main').getByRole('link', { name: projects[INFEASIBLE].title });
      assert.equal(await listed.count(), 0, 'from the vote on, the page lists the ballot\'s projects: not the infeasible one');
      await page.getByRole('link', { name: tr(locale, 'Voter', 'Vote'), exact: true }).click();
      await page.waitForURL(/\/vote$/);
      await j.check(page, `ballot (${tag})`);
      const unitName = districtName(locale, 'centre');
      assert.equal(await text(page.getByRole('heading', { level: 1 })), tr(locale, `Mon bulletin : ${unitName}`, `My ballot: ${unitName}`));
      assert.equal(await projectBox(page, projects[INFEASIBLE]).count(), 0, 'the infeasible project is not on the ballot');
      for (const k of ['D', 'E', 'F']) assert.equal(await projectBox(page, projects[k]).count(), 0, "the port's projects are not on the centre's ballot");
      assert.equal(await meterTotal(page), amount(locale, 0));
      await choose(page, projects, FINAL_BALLOTS.centre[0], 'centre');
      const chosen = FINAL_BALLOTS.centre[0].reduce((s, k) => s + projects[k].cost, 0);
      if (javaScript && (await liveMeter(j, page, amount(locale, chosen), 'two projects chosen'))) {
        await j.check(page, `ballot, the meter following the choices (${tag})`);
      } else {
        await updateTotal(page, mode, projects, FINAL_BALLOTS.centre[0], chosen);
        await j.check(page, `ballot, total updated by the server (${tag})`);
      }
      // What the meter says (its hidden parts left out).
      const meterText = (await page.locator('.budget-meter [aria-live]').innerText()).replace(/\s+/g, ' ').trim();
      expectText(j, meterText, tr(locale,
        `${amount(locale, chosen)} sur ${amount(locale, BUDGET.centre)} (83 %) — Projets choisis : 2. Reste : ${amount(locale, BUDGET.centre - chosen)}.`,
        `${amount(locale, chosen)} of ${amount(locale, BUDGET.centre)} (83%) — Projects chosen: 2. Left: ${amount(locale, BUDGET.centre - chosen)}.`),
        `the budget meter (${tag})`);
      assert.equal(await page.locator('meter').first().getAttribute('max'), String(BUDGET.centre));
      const receipt = await reviewAndCast(j, page, mode, { check: true, unitName, total: chosen, budget: BUDGET.centre });
      assert.equal(await text(page.getByRole('region', { name: tr(locale, 'Votre reçu', 'Your receipt') }).locator('.receipt')), receipt);
      await checkReceipt(j, page, mode, slug, receipt, true, { check: true });
      receipts.push(receipt);
    }

    // The other residents; numbers 1 of each district try the other
    // district's ballot first, numbers 2 choose over the budget first,
    // centre 3 changes their ballot, port 9 votes while the clerk enters a
    // paper ballot for them.
    const counterFor = async (who) => {
      // The clerk finds the resident by their identity document (an e-mail
      // address is not enough); the page names their account; the ballot form is there.
      await clerk.getByLabel(tr(locale, "Numéro de la pièce d'identité", 'Identity document number')).fill(who.person.documentNumber);
      await clerk.getByLabel(tr(locale, 'Date de naissance', 'Date of birth')).fill(who.person.birthDate);
      await clerk.getByLabel(tr(locale, 'Code postal du domicile', 'Postal code of the home')).fill(who.person.postalCode);
      await clerk.getByRole('button', { name: tr(locale, 'Trouver au recensement', 'Find on the census') }).click();
      await clerk.getByRole('region', { name: who.name }).waitFor();
      await j.check(clerk, `counter ballots, a resident found (${tag})`);
      const person = clerk.getByRole('region', { name: who.name });
      assert.match(await text(person), tr(locale, /N'a pas encore voté/, /Has not voted yet/));
    };
    const voteAs = async (district, n) => {
      const who = residents[district][n];
      const { page } = who;
      const unitName = districtName(locale, district);
      const final = FINAL_BALLOTS[district][n];
      if (n === 1) {
        await wrongDistrict(j, page, mode, slug, district, { check: district === 'centre' });
        await choose(page, projects, final, district);
        receipts.push(await reviewAndCast(j, page, mode, { unitName }));
      } else if (n === 2) {
        await openBallot(j, page, mode, slug, district);
        const all = Object.keys(projects).filter((k) => projects[k].district === district && k !== INFEASIBLE);
        receipts.push(await overBudget(j, page, mode, projects, district, all, final, { check: district === 'centre' }));
      } else if (district === 'centre' && n === 3) {
        await openBallot(j, page, mode, slug, district);
        await choose(page, projects, CHANGED_FIRST, district);
        const before = await reviewAndCast(j, page, mode, { unitName });
        // Back to the ballot: it shows the current choices; changed, cast again.
        await page.getByRole('link', { name: tr(locale, 'Modifier mon bulletin', 'Change my ballot') }).click();
        await page.waitForURL(/\/vote\?district=centre$/);
        await j.check(page, `ballot, already cast (${tag})`);
        assert.match(await flash(page), tr(locale, /^Vous avez déjà voté dans ce budget : voici votre bulletin actuel\./,
                                            /^You have already voted in this budget: this is your current ballot\./));
        assert.equal(await projectBox(page, projects.A).isChecked(), true, 'the current ballot is shown');
        assert.equal(await projectBox(page, projects.B).isChecked(), false);
        await choose(page, projects, final, district);
        const after = await reviewAndCast(j, page, mode, { check: true, replaced: true, unitName });
        // The first receipt is still found, like the last: the page never
        // tells whether a ballot was replaced. A code never given is not.
        await checkReceipt(j, page, mode, slug, before, true, { check: true });
        await checkReceipt(j, page, mode, slug, after, true);
        await checkReceipt(j, page, mode, slug, '00000-00000-00000', false, { check: true });
        receipts.push(after);
      } else if (district === 'port' && n === 9) {
        await counterFor(who);
        await openBallot(j, page, mode, slug, district);
        await choose(page, projects, final, district);
        receipts.push(await reviewAndCast(j, page, mode, { unitName }));
        // The clerk, whose page still shows the form, enters a paper ballot.
        await projectBox(clerk, projects.D).check();
        await clerk.getByRole('button', { name: tr(locale, 'Enregistrer le bulletin', 'Enter the ballot') }).click();
        await clerk.getByRole('alert').first().waitFor();
        await j.check(clerk, `counter ballots, refused: voted online (${tag})`);
        assert.equal(currentDocument(clerk).status, 409);
        const person = clerk.getByRole('region', { name: who.name });
        assert.equal(await text(person.getByRole('alert')), tr(locale,
          'Cette personne a déjà voté dans ce budget participatif (en ligne). Une personne, un bulletin : ce bulletin ne peut pas être enregistré.',
          'This person has already voted in this participatory budget (online). One person, one ballot: this ballot cannot be entered.'));
        assert.match(await text(person), tr(locale, /A déjà voté \(en ligne\)/, /Has already voted \(online\)/));
        assert.equal(await clerk.getByRole('button', { name: tr(locale, 'Enregistrer le bulletin', 'Enter the ballot') }).count(), 0,
                     'no ballot form for someone who has voted');
      } else {
        await openBallot(j, page, mode, slug, district, { check: district === 'port' && n === 0, label: `ballot (${tag}, ${district})` });
        await choose(page, projects, final, district);
        receipts.push(await reviewAndCast(j, page, mode, { unitName }));
      }
    };
    for (const [district, n] of [['centre', 1], ['centre', 2], ['centre', 3], ['port', 0], ['port', 1], ['port', 2]])
      await voteAs(district, n);
    // Those who simply vote, four at a time.
    const plain = [4, 5, 6, 7, 8, 9].map((n) => ['centre', n]).concat([3, 4, 5, 6, 7, 8].map((n) => ['port', n]));
    for (let at = 0; at < plain.length; at += 4)
      await Promise.all(plain.slice(at, at + 4).map(([district, n]) => voteAs(district, n)));
    await voteAs('port', 9);
    assert.equal(receipts.length, 20, 'twenty residents voted');
    assert.equal(new Set(receipts).size, 20, 'twenty different receipts');

    // 6. The counter: a paper ballot for a census person with no account.
    {
      await j.visit(clerk, `/admin/budgets/${slug}/counter`, { label: `counter ballots (${tag})`, axe: false });
      const person = demoPerson(census.paper);
      await clerk.getByLabel(tr(locale, "Numéro de la pièce d'identité", 'Identity document number')).fill(person.documentNumber);
      await clerk.getByLabel(tr(locale, 'Date de naissance', 'Date of birth')).fill(person.birthDate);
      await clerk.getByLabel(tr(locale, 'Code postal du domicile', 'Postal code of the home')).fill(person.postalCode);
      await clerk.getByRole('button', { name: tr(locale, 'Trouver au recensement', 'Find on the census') }).click();
      const found = clerk.getByRole('region', { name: tr(locale, 'Personne inscrite au recensement', 'Person on the census') });
      await found.waitFor();
      await j.check(clerk, `counter ballots, a census person found (${tag})`);
      assert.equal(currentDocument(clerk).status, 200);
      assert.match(await text(found), new RegExp(escape(districtName(locale, 'centre'))));
      assert.match(await text(found), tr(locale, /N'a pas encore voté/, /Has not voted yet/));
      assert.equal(await clerk.getByLabel(tr(locale, 'Bulletin papier : je saisis ses choix', 'Paper ballot: I enter their choices')).isChecked(), true);
      await choose(clerk, projects, PAPER_BALLOT, 'centre');
      await clerk.getByRole('button', { name: tr(locale, 'Enregistrer le bulletin', 'Enter the ballot') }).click();
      await clerk.getByRole('heading', { level: 1, name: tr(locale, 'Bulletin enregistré', 'Ballot entered') }).waitFor();
      await j.check(clerk, `counter ballot entered (${tag})`);
      assert.equal(await flash(clerk), tr(locale, `Le bulletin papier est dans l'urne de « Budget du parcours ${tag} ».`,
                                          `The paper ballot is in the ballot box of “Journey budget ${tag}”.`));
      assert.match(await text(clerk.locator('main .receipt')), /^[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
      // The same person again: they have voted.
      await clerk.getByRole('link', { name: tr(locale, 'Personne suivante', 'Next person') }).click();
      await clerk.waitForURL((url) => url.pathname === `/admin/budgets/${slug}/counter`);
      assertNoErrors(clerk, 'counter ballots, next person');
      await clerk.getByLabel(tr(locale, "Numéro de la pièce d'identité", 'Identity document number')).fill(person.documentNumber);
      await clerk.getByLabel(tr(locale, 'Date de naissance', 'Date of birth')).fill(person.birthDate);
      await clerk.getByLabel(tr(locale, 'Code postal du domicile', 'Postal code of the home')).fill(person.postalCode);
      await clerk.getByRole('button', { name: tr(locale, 'Trouver au recensement', 'Find on the census') }).click();
      await found.waitFor();
      await j.check(clerk, `counter ballots, a person who voted on paper (${tag})`);
      assert.match(await text(found), tr(locale, /A déjà voté \(sur papier au guichet\)/, /Has already voted \(on paper at the counter\)/));
      assert.equal(await clerk.getByRole('button', { name: tr(locale, 'Enregistrer le bulletin', 'Enter the ballot') }).count(), 0);
    }

    // 7. The vote closes; the count, the rules compared, the publication.
    await openNextPhase(j, admin, mode, slug, 'Résultats', 'Results');
    await j.visit(admin, `/admin/budgets/${slug}/results`, { label: `count and results, before publication (${tag})` });
    assert.match(await text(admin.locator('main')), tr(locale, /Dépouillé le/, /Counted on/));
    const ruleLabels = [tr(locale, 'Les plus soutenus d\'abord (glouton)', 'Most votes first (greedy)'),
                        tr(locale, 'Méthode des parts égales', 'Method of Equal Shares'),
                        tr(locale, 'Phragmén séquentiel', 'Sequential Phragmén')];
    for (const district of ['centre', 'port']) {
      const section = admin.getByRole('region', { name: districtName(locale, district), exact: true });
      assert.match(await text(section), new RegExp(escape(tr(locale,
        `${district === 'centre' ? 11 : 10} bulletins`, `${district === 'centre' ? 11 : 10} ballots`))));
      const compared = section.getByRole('table');
      for (const label of ruleLabels)
        assert.equal(await compared.getByRole('columnheader', { name: new RegExp(`^${escape(label)}`) }).count(), 1,
                     `the comparison has a column for ${label}`);
      // One row per project on the ballot, the infeasible one not among them.
      assert.equal(await compared.locator('tbody tr').count(), 3);
    }
    assert.equal((await admin.request.get(`/api/budgets/${slug}/results`)).status(), 404, 'nothing public before publication');
    await admin.getByRole('link', { name: tr(locale, 'Publier les résultats', 'Publish the results') }).click();
    // A page says what publishing does, and asks.
    await admin.waitForURL((url) => url.pathname === `/admin/budgets/${slug}/results/publish`);
    await j.check(admin, `publication, to confirm (${tag})`);
    await admin.getByRole('button', { name: tr(locale, 'Publier les résultats', 'Publish the results') }).click();
    await admin.waitForURL((url) => url.pathname === `/admin/budgets/${slug}/results`);
    await j.check(admin, `count and results, published (${tag})`);
    assert.equal(await flash(admin), tr(locale, 'Les résultats sont publiés.', 'The results are published.'));

    // 8. The public results, for a resident.
    const api = await (await admin.request.get(`/api/budgets/${slug}/results`)).json();
    const byDistrict = Object.fromEntries(api.districts.map((d) => [d.district, d]));
    const visitor = residents.port[0].page;
    await j.visit(visitor, `/budgets/${slug}`, { label: `process page, results (${tag})` });
    await visitor.getByRole('link', { name: tr(locale, 'Voir les résultats', 'See the results') }).click();
    await visitor.waitForURL(/\/results$/);
    await j.check(visitor, `public results (${tag})`);
    assert.match(await text(visitor.locator('main')), new RegExp(escape(tr(locale,
      'Règle de dépouillement : ', 'Counting rule: '))));
    const titleOf = Object.fromEntries(Object.entries(ids).map(([k, id]) => [id, projects[k].title]));
    for (const district of ['centre', 'port']) {
      const section = visitor.getByRole('region', { name: districtName(locale, district), exact: true });
      const fact = (term) => section.locator('dl.facts dt', { hasText: new RegExp(`^${escape(term)}$`) }).locator('xpath=following-sibling::dd[1]');
      const voters = district === 'centre' ? 11 : 10;
      assert.equal(await text(fact(tr(locale, 'Budget', 'Budget'))), amount(locale, BUDGET[district]));
      assert.equal(await text(fact(tr(locale, 'Bulletins dépouillés', 'Ballots counted'))), String(voters));
      assert.match(await text(fact(tr(locale, 'Participation', 'Turnout'))), tr(locale,
        new RegExp(`^\\d+,\\d % — ${voters} personnes ont voté sur les \\d+ inscrites au recensement du quartier`),
        new RegExp(`^\\d+\\.\\d% — ${voters} people voted out of the \\d+ on the census of the district`)));
      assert.equal(byDistrict[district].ballots, voters);
      // The funded projects, as the API says, in the table.
      const funded = byDistrict[district].funded;
      assert.ok(funded.length >= 1, `${district}: some project is funded`);
      const fundedTable = section.getByRole('table');
      const rows = fundedTable.locator('tbody tr');
      assert.equal(await rows.count(), funded.length);
      for (let r = 0; r < funded.length; r++)
        assert.equal(await text(rows.nth(r).getByRole('rowheader')), titleOf[funded[r]]);
      const spent = funded.reduce((s, id) => s + projects[Object.keys(ids).find((k) => ids[k] === id)].cost, 0);
      assert.ok(spent <= BUDGET[district], `${district}: the funded projects fit the budget`);
      if (rule === 'greedy')
        assert.deepEqual(funded.map((id) => titleOf[id]), GREEDY_FUNDED[district].map((k) => projects[k].title),
                         `${district}: most votes first`);
      // An explanation for every project of the ballot.
      const explanations = section.locator('ul.explanations li');
      assert.equal(await explanations.count(), 3);
      for (let e = 0; e < 3; e++) {
        const line = await text(explanations.nth(e));
        const m = /^(Financé|Non financé|Funded|Not funded) — (.+)$/.exec(line);
        assert.ok(m && m[2].length > 20, `an explanation sentence: “${line}”`);
      }
      assert.equal(await explanations.filter({ hasText: tr(locale, /^Financé — /, /^Funded — /) }).count(), funded.length);
      // The chart: an image with a title.
      const chart = section.locator('svg');
      assert.equal(await chart.count(), 1);
      assert.equal(await chart.getAttribute('role'), 'img');
      const title = chart.locator('title');
      assert.equal(await text(title), tr(locale, 'Votes par projet', 'Votes per project'));
      assert.match(await chart.getAttribute('aria-labelledby'), new RegExp(`\\b${escape(await title.getAttribute('id'))}\\b`));
      assert.equal(await chart.locator('rect[width]:not(pattern rect)').count(), 3, 'one bar per project');
    }

    // 9. Each district's .pb, counted again, funds the same projects.
    const scratch = mkdtempSync(join(tmpdir(), 'fabrique-e2e-pb-'));
    try {
      for (const district of ['centre', 'port']) {
        const response = await visitor.request.get(`/budgets/${slug}/export?district=${district}&format=pb`);
        assert.equal(response.status(), 200);
        const body = await response.text();
        const pb = pabulibSections(body);
        const voters = district === 'centre' ? 11 : 10;
        assert.equal(pb.meta.rule, rule === 'mes' ? 'equalshares/add1' : 'greedy', 'META rule, in pabulib\'s words');
        assert.equal(pb.meta.num_votes, String(voters));
        assert.equal(pb.meta.budget, String(BUDGET[district]));
        assert.deepEqual(pb.projects.map((p) => p.project_id).sort(),
                         Object.keys(ids).filter((k) => projects[k].district === district && k !== INFEASIBLE).map((k) => ids[k]).sort(),
                         'the ballot\'s projects, not the infeasible one');
        // Anonymous: the voters are numbered 1…N, nothing else.
        assert.deepEqual(pb.votes.map((v) => Number(v.voter_id)).sort((a, b) => a - b),
                         Array.from({ length: voters }, (_, k) => k + 1));
        const file = join(scratch, `${slug}-${district}.pb`);
        writeFileSync(file, body);
        const { stdout } = await runFabrique(['pb', 'count', file, '--rule', 'official', '--format', 'json']);
        const recount = JSON.parse(stdout);
        assert.deepEqual([...recount.selected].map(String).sort(), [...byDistrict[district].funded].map(String).sort(),
                         `${district}: the .pb recounts to the published funded set`);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    for (const who of [...residents.centre, ...residents.port]) await who.page.context().close();
    for (const page of [admin, reviewer, clerk]) await page.context().close();
    j.done();
  });
}
