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
