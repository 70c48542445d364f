import type { ReportData } from './report-data.js';

/**
 * One self-contained HTML page: data, styles and script inline, and a Content-Security-Policy
 * that forbids every request, so the page works offline and leaks nothing. Rows render in pages
 * of 200, so 10,800 Kommunen stay responsive.
 */
export function renderFleetReport(data: ReportData): string {
  // JSON inside <script> must not be able to close the tag.
  const json = JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OZG-Cloud fleet report</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>OZG-Cloud fleet</h1>
  <p class="asof">as of <span id="asof"></span></p>
</header>
<nav id="filters" aria-label="Filters">
  <label>Environment <select id="env"></select></label>
  <label>Land <select id="land"><option value="">all</option></select></label>
  <label>Wave <select id="wave"><option value="">all</option></select></label>
  <label>Cluster <select id="cluster"><option value="">all</option></select></label>
  <label>App <select id="app"><option value="">all</option></select></label>
  <label class="grow">Search <input id="search" type="search" placeholder="name, id or AGS" autocomplete="off"></label>
  <label class="check"><input id="differs" type="checkbox"> only versions that differ from the pin</label>
</nav>
<section id="summary" aria-label="Summary"></section>
<section>
  <h2>Kommunen × apps <span id="count" class="muted"></span></h2>
  <div class="scroll"><table id="matrix"><thead></thead><tbody></tbody></table></div>
  <button id="more" type="button">show more</button>
</section>
<section>
  <h2>Version exceptions</h2>
  <table id="exceptions"><thead><tr><th>App</th><th>Version</th><th>For</th><th>Until</th><th>Reason</th></tr></thead><tbody></tbody></table>
</section>
<script id="data" type="application/json">${json}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

const STYLE = `
:root { font-family: system-ui, sans-serif; color: #1b1f24; background: #fff; }
body { margin: 0 1.5rem 2rem; }
h1 { font-size: 1.4rem; margin: 1rem 0 0; } h2 { font-size: 1.1rem; margin: 1.2rem 0 .4rem; }
.asof, .muted { color: #57606a; font-weight: normal; }
nav { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; padding: .6rem 0; border-bottom: 1px solid #d0d7de; position: sticky; top: 0; background: #fff; z-index: 1; }
nav label { display: flex; flex-direction: column; font-size: .8rem; color: #57606a; gap: .2rem; }
nav label.check { flex-direction: row; align-items: center; }
nav label.grow { flex: 1; min-width: 12rem; }
select, input[type=search] { font: inherit; font-size: .9rem; padding: .25rem .4rem; }
#summary { display: flex; flex-wrap: wrap; gap: 1rem; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem .8rem; min-width: 10rem; }
.card h3 { margin: 0 0 .3rem; font-size: .85rem; color: #57606a; }
.card ul { margin: 0; padding: 0; list-style: none; font-size: .85rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: .85rem; }
th, td { border-bottom: 1px solid #eaeef2; padding: .25rem .6rem; text-align: left; white-space: nowrap; }
th { background: #f6f8fa; position: sticky; top: 0; }
td.v { font-family: ui-monospace, monospace; }
td.differs { background: #fff1c2; font-weight: 600; }
td.none { color: #afb8c1; }
tr.expired td { background: #ffebe9; } tr.soon td { background: #fff8c5; }
button { margin: .6rem 0; font: inherit; }
`;

const SCRIPT = `
const data = JSON.parse(document.getElementById('data').textContent);
const $ = (id) => document.getElementById(id);
const PAGE = 200;
let shown = PAGE;
document.getElementById('asof').textContent = data.asOf;
for (const e of data.environments) $('env').append(new Option(e.name, e.name, false, e.production));
function env() { return data.environments.find((e) => e.name === $('env').value) || data.environments[0]; }
function fill(select, values, labels) {
  const keep = select.value;
  select.length = 1;
  for (const v of values) select.append(new Option(labels ? labels[v] + ' (' + v + ')' : v, v));
  select.value = values.includes(keep) ? keep : '';
}
function setupEnv() {
  const e = env();
  fill($('land'), [...new Set(e.rows.map((r) => r[3]))].sort(), data.laender);
  fill($('wave'), e.waves);
  fill($('cluster'), e.clusters.map((c) => c.name));
  fill($('app'), e.apps.map((a) => a.name));
  const head = ['Kommune', 'AGS', 'Land', 'Wave', 'Cluster', ...e.apps.map((a) => a.name + ' ' + a.pin)];
  $('matrix').tHead.innerHTML = '<tr>' + head.map((h) => '<th>' + esc(h) + '</th>').join('') + '</tr>';
  const today = data.asOf;
  const soon = new Date(Date.parse(today) + 30 * 864e5).toISOString().slice(0, 10);
  $('exceptions').tBodies[0].innerHTML = e.exceptions.length
    ? e.exceptions.map((x) => '<tr class="' + (x.until < today ? 'expired' : x.until <= soon ? 'soon' : '') + '"><td>' + esc(x.app) + '</td><td>' + esc(x.version) + '</td><td>' + esc(x.scope) + '</td><td>' + esc(x.until) + (x.until < today ? ' (expired)' : '') + '</td><td>' + esc(x.reason) + '</td></tr>').join('')
    : '<tr><td colspan="5" class="muted">none</td></tr>';
}
function esc(s) { return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]); }
function norm(s) { return s.toLowerCase().normalize('NFKD').replace(/[\\u0300-\\u036f]/g, '').replace(/ß/g, 'ss'); }
function filtered() {
  const e = env();
  const land = $('land').value, wave = $('wave').value, cluster = $('cluster').value, app = $('app').value;
  const q = norm($('search').value.trim());
  const appIndex = e.apps.findIndex((a) => a.name === app);
  const differs = $('differs').checked;
  return e.rows.filter((r) =>
    (!land || r[3] === land) && (!wave || r[4] === wave) && (!cluster || r[5] === cluster) &&
    (appIndex < 0 || r[6 + appIndex] !== '') &&
    (!q || norm(r[1]).includes(q) || r[0].includes(q) || r[2].startsWith(q)) &&
    (!differs || e.apps.some((a, i) => r[6 + i] !== '' && r[6 + i] !== a.pin)));
}
function render() {
  const e = env();
  const rows = filtered();
  $('count').textContent = rows.length + ' of ' + e.rows.length;
  $('matrix').tBodies[0].innerHTML = rows.slice(0, shown).map((r) =>
    '<tr data-id="' + esc(r[0]) + '"><td>' + esc(r[1]) + ' <span class="muted">' + esc(r[0]) + '</span></td><td>' + r[2] + '</td><td>' + r[3] + '</td><td>' + esc(r[4]) + '</td><td>' + esc(r[5]) + '</td>' +
    e.apps.map((a, i) => { const v = r[6 + i]; return v === '' ? '<td class="v none">–</td>' : '<td class="v' + (v !== a.pin ? ' differs" title="pinned ' + esc(a.pin) : '') + '">' + esc(v) + '</td>'; }).join('') + '</tr>').join('');
  $('more').hidden = rows.length <= shown;
  const count = (i) => { const m = new Map(); for (const r of rows) m.set(r[i], (m.get(r[i]) || 0) + 1); return [...m].sort((a, b) => b[1] - a[1]); };
  const card = (title, entries) => '<div class="card"><h3>' + title + '</h3><ul>' + entries.slice(0, 16).map(([k, n]) => '<li>' + esc(k) + ': ' + n + '</li>').join('') + (entries.length > 16 ? '<li class="muted">… ' + (entries.length - 16) + ' more</li>' : '') + '</ul></div>';
  const differing = e.apps.map((a, i) => [a.name + ' ≠ ' + a.pin, rows.filter((r) => r[6 + i] !== '' && r[6 + i] !== a.pin).length]).filter(([, n]) => n > 0);
  const waves = count(4).sort((a, b) => e.waves.indexOf(a[0]) - e.waves.indexOf(b[0]));
  $('summary').innerHTML = card('Waves', waves) + card('Länder', count(3).map(([k, n]) => [data.laender[k] || k, n])) + card('Clusters', count(5)) + card('Off the pin', differing.length ? differing : [['none', 0]]);
}
for (const id of ['land', 'wave', 'cluster', 'app', 'differs']) $(id).addEventListener('change', () => { shown = PAGE; render(); });
$('search').addEventListener('input', () => { shown = PAGE; render(); });
$('env').addEventListener('change', () => { shown = PAGE; setupEnv(); render(); });
$('more').addEventListener('click', () => { shown += PAGE; render(); });
setupEnv();
render();
`;
