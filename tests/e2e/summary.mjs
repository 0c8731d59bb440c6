// Prints the pages the browser tests visited (tests/e2e/run calls it):
// node tests/e2e/summary.mjs REPORT.jsonl START_MILLISECONDS
import { readFileSync } from 'node:fs';

const [report, startMs] = process.argv.slice(2);
const entries = readFileSync(report, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const seconds = startMs ? (Date.now() - Number(startMs)) / 1000 : 0;

const audited = entries.filter((e) => e.axe);
const failing = audited.filter((e) => e.violations.length);
console.log(`\nBrowser tests: ${entries.length} page visit(s), ${audited.length} checked with axe, ` +
            `${failing.length} with violations${seconds ? `, ${seconds.toFixed(1)} s in all` : ''}`);
for (const e of entries) {
  const mode = `${e.locale}, JS ${e.javaScript ? 'on ' : 'off'}`;
  const timing = [e.loadMs !== undefined && `load ${e.loadMs} ms`, e.axe && `axe ${e.axeMs} ms`].filter(Boolean).join(', ');
  const verdict = !e.axe ? 'not HTML or not audited' : e.violations.length ? `VIOLATIONS: ${e.violations.join(', ')}` : 'axe: 0 violations';
  console.log(`  ${e.file.padEnd(20)} ${String(e.status ?? '').padEnd(4)} ${e.label.padEnd(28)} ${mode}  ${timing.padEnd(24)} ${verdict}`);
}
