// Progressive enhancement only: every page works without this file.
// Pages that show a running job (e.g. a census import) mark the element with
// data-poll="<json url>"; we refresh its figures until the job is finished.
(function () {
  'use strict';
  function poll(element) {
    const url = element.getAttribute('data-poll');
    fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) return;
        const bar = element.querySelector('progress');
        if (bar && job.total_lines) { bar.max = job.total_lines; bar.value = job.processed_lines; }
        const text = element.querySelector('[data-progress-text]');
        if (text) text.textContent = job.processed_lines + ' / ' + job.total_lines;
        if (job.status === 'running') setTimeout(function () { poll(element); }, 1000);
        else window.location.reload();
      })
      .catch(function () {});
  }
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-poll]').forEach(function (element) {
      setTimeout(function () { poll(element); }, 1000);
    });
  });
})();

// Ballot pages (budgets/ballot, budgets/counter): the budget meter follows
// each choice as it is made. Progressive enhancement only: without this code
// the "Update the total" button posts the form and the server recomputes the
// meter. The server renders, for each ballot,
//   <fieldset data-ballot="approval|knapsack|cumulative|ranked" data-amount="N"
//             data-points-total="P" id="ID"> with inputs carrying data-cost
//   <div data-meter-for="ID"> with [data-meter-total], [data-meter-percent],
//     [data-meter-chosen], [data-meter-remaining], [data-meter-over],
//     [data-meter-remaining-text], [data-meter-over-text], [data-meter-points],
//     [data-meter-points-over] and the <meter data-meter-bar>, inside an
//     aria-live="polite" region.
(function () {
  'use strict';
  function money(amount) {
    const lang = document.documentElement.lang === 'en' ? 'en-GB' : 'fr-FR';
    return new Intl.NumberFormat(lang, {
      style: 'currency', currency: 'EUR', maximumFractionDigits: 0, minimumFractionDigits: 0
    }).format(amount);
  }
  function set(root, selector, text) {
    const element = root.querySelector(selector);
    if (element) element.textContent = text;
  }
  function show(root, selector, visible) {
    const element = root.querySelector(selector);
    if (element) element.hidden = !visible;
  }
  // What the ballot holds now: the cost of its chosen projects, how many, the points.
  function tally(fieldset) {
    const type = fieldset.getAttribute('data-ballot');
    let total = 0, chosen = 0, points = 0;
    fieldset.querySelectorAll('input[data-cost]').forEach(function (input) {
      const cost = Number(input.getAttribute('data-cost')) || 0;
      if (type === 'approval' || type === 'knapsack') {
        if ((input.type === 'checkbox' && input.checked) || input.type === 'hidden') {
          total += cost; chosen += 1;
        }
        return;
      }
      const value = input.value.trim();
      if (value === '') return;
      const number = Number(value);
      if (!Number.isInteger(number) || number <= 0) return;
      total += cost; chosen += 1;
      if (type === 'cumulative') points += number;
    });
    return { total: total, chosen: chosen, points: points };
  }
  function update(fieldset) {
    const meter = document.querySelector('[data-meter-for="' + fieldset.id + '"]');
    if (!meter) return;
    const amount = Number(fieldset.getAttribute('data-amount')) || 0;
    const pointsTotal = Number(fieldset.getAttribute('data-points-total')) || 0;
    const t = tally(fieldset);
    const over = t.total > amount;
    set(meter, '[data-meter-total]', money(t.total));
    set(meter, '[data-meter-percent]', String(amount > 0 ? Math.floor(t.total * 100 / amount) : 0));
    set(meter, '[data-meter-chosen]', String(t.chosen));
    set(meter, '[data-meter-remaining]', money(Math.max(amount - t.total, 0)));
    set(meter, '[data-meter-over]', money(Math.max(t.total - amount, 0)));
    show(meter, '[data-meter-remaining-text]', !over);
    show(meter, '[data-meter-over-text]', over);
    set(meter, '[data-meter-points]', String(t.points));
    show(meter, '[data-meter-points-over]', t.points > pointsTotal);
    const bar = meter.querySelector('[data-meter-bar]');
    if (bar) {
      bar.value = Math.min(t.total, amount);
      bar.textContent = (amount > 0 ? Math.floor(t.total * 100 / amount) : 0) + ' %';
    }
  }
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('fieldset[data-ballot]').forEach(function (fieldset) {
      fieldset.addEventListener('change', function () { update(fieldset); });
      fieldset.addEventListener('input', function () { update(fieldset); });
    });
  });
})();
