// The blastradius explorer. Every state, chain and figure comes from the
// server (the JSON documents of the CLI); this script only asks, draws
// export's DOT with Graphviz (viz-global.js) and lays out the panels.
'use strict';

const $ = (id) => document.getElementById(id);

const state = {
  model: null,         // /api/model
  byId: new Map(),     // node id → its record in the model document
  fail: [],            // the scenario, as written in the URL
  whole: false,        // draw the whole model rather than the blast radius
  ring: false,         // draw the blast radius's whole ring of context, not the server's MaxContext of it
  selected: null,      // the selected node's id
  outcome: null,       // /api/simulate's document
  effects: new Map(),  // id → effect record of the outcome
  gen: 0,              // the server's model generation
  svgText: '',         // the drawing as Graphviz wrote it, for the exports
  seq: 0,              // numbers the redraws: a late answer to an old one is dropped
};

// timings are read by the browser test and printed there: ready is when the
// first drawing was on the page (ms since navigation), redraws how long each
// later one took from the click.
window.blastradius = { ready: 0, redraws: [], busy: true };

// layout lays DOT out in the worker and returns the SVG text. A layout
// still running when a newer one is asked for is ended with its worker:
// its drawing would be stale.
let worker = null;
let pending = null; // { seq, resolve, reject }

// startWorker starts a layout worker; the page starts one at once, so
// Graphviz is compiled before the first click.
function startWorker() {
  worker = new Worker('layout-worker.js');
  worker.onmessage = (ev) => {
    const p = pending;
    if (!p || ev.data.seq !== p.seq) return;
    pending = null;
    if (ev.data.ok) p.resolve(ev.data.svg);
    else p.reject(new Error('Graphviz: ' + ev.data.errors.join('; ')));
  };
}
startWorker();

function layout(dot, seq) {
  if (pending) {
    worker.terminate();
    worker = null;
    pending.reject(Object.assign(new Error('superseded'), { superseded: true }));
    pending = null;
  }
  if (!worker) startWorker();
  return new Promise((resolve, reject) => {
    pending = { seq, resolve, reject };
    worker.postMessage({ dot, seq });
  });
}

// ---- the scenario in the URL ---------------------------------------------

function readURL() {
  const p = new URLSearchParams(location.search);
  state.fail = (p.get('fail') || '').split(',').map((s) => s.trim()).filter(Boolean);
  state.whole = p.get('whole') === '1';
  state.ring = p.get('ring') === 'all';
  state.selected = p.get('select') || null;
}

// writeURL keeps the ids readable (?fail=pangyo,kakao-login): each is
// escaped, the commas between them are not.
function writeURL() {
  const parts = [];
  if (state.fail.length) parts.push('fail=' + state.fail.map(encodeURIComponent).join(','));
  if (state.whole) parts.push('whole=1');
  if (state.ring) parts.push('ring=all');
  if (state.selected) parts.push('select=' + encodeURIComponent(state.selected));
  const url = location.pathname + (parts.length ? '?' + parts.join('&') : '');
  if (url !== location.pathname + location.search) history.pushState(null, '', url);
}

window.addEventListener('popstate', () => { readURL(); redraw(); });

// ---- the API -------------------------------------------------------------

function query(extra) {
  const p = [];
  if (state.fail.length) p.push('fail=' + state.fail.map(encodeURIComponent).join(','));
  for (const [k, v] of Object.entries(extra || {})) p.push(k + '=' + encodeURIComponent(v));
  return p.length ? '?' + p.join('&') : '';
}

async function api(path, as) {
  const r = await fetch(path);
  if (!r.ok) {
    let msg = r.status + ' ' + r.statusText;
    try { msg = (await r.json()).error; } catch (e) { /* not JSON */ }
    const err = new Error(msg);
    err.status = r.status;
    throw err;
  }
  return as === 'text' ? r.text() : r.json();
}

function banner(msg) {
  const b = $('banner');
  b.hidden = !msg;
  b.textContent = msg || '';
}

// ---- helpers -------------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c === null || c === undefined ? '' : c);
  return e;
}

const num = (n) => (n || 0).toLocaleString('en-US');

function chainText(e) {
  if (!e || !e.chain) return '';
  return e.chain.join(' → ') + (e.chain_more ? ' … ' + e.chain_more + ' more' : '');
}

function table(head, rows) {
  const t = el('table', {}, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))));
  const body = el('tbody');
  for (const r of rows) body.append(r);
  t.append(body);
  return t;
}

function isFailed(id) {
  return state.fail.some((f) => f === id || f.replace(/^(site|region|node):/, '') === id);
}

function toggleFail(id) {
  if (isFailed(id)) state.fail = state.fail.filter((f) => f !== id && f.replace(/^(site|region|node):/, '') !== id);
  else state.fail.push(id);
  writeURL();
  redraw();
}

function select(id) {
  state.selected = id;
  writeURL();
  markSelected();
  showNode();
}

// ---- the drawing ---------------------------------------------------------

// redraw asks for the outcome and its drawing and shows both.
async function redraw() {
  const seq = ++state.seq;
  const t0 = performance.now();
  window.blastradius.busy = true;
  renderScenario();
  const whole = state.whole || state.fail.length === 0;
  const drawWhole = whole && state.model.whole;
  $('whole').checked = drawWhole;
  $('whole').disabled = !state.model.whole;
  try {
    // Both at once; a radius too large to draw (422) is said in the
    // drawing's place, the panels still show it.
    const [outcome, dot] = await Promise.all([
      api('/api/simulate' + query()),
      state.fail.length === 0 && !drawWhole ? Promise.resolve('') :
        api('/api/simulate' + query(Object.assign({ format: 'dot', focus: drawWhole ? '0' : '1' }, state.ring ? { context: 'all' } : {})), 'text')
          .catch((err) => (err.status === 422 ? { tooLarge: err.message } : Promise.reject(err))),
    ]);
    if (seq !== state.seq) return;
    const tFetched = performance.now();
    banner('');
    state.outcome = outcome;
    state.effects = new Map(outcome.effects.map((e) => [e.id, e]));
    // The panels first: they are ready now, the layout may take a while.
    renderTotals();
    renderAffected();
    showNode();
    if ($('timeline').dataset.shown) drawTimeline();
    renderContextNote(typeof dot === 'string' ? dot : '');
    if (dot && dot.tooLarge) {
      state.svgText = '';
      $('drawing').replaceChildren(el('p', { class: 'empty' }, dot.tooLarge + '.'));
    } else if (dot) {
      $('drawing').classList.add('stale');
      const text = await layout(dot, seq);
      if (seq !== state.seq) return;
      showDrawing(text);
      window.blastradius.last = { fetch: tFetched - t0, layout: performance.now() - tFetched, bytes: dot.length };
    } else {
      state.svgText = '';
      $('drawing').replaceChildren(el('p', { class: 'empty' },
        'Nothing is removed, and the model (' + num(state.model.vertices) + ' vertices) is too large to draw whole. ' +
        'Press / and search for a node, a site or a region; Enter removes it.'));
    }
  } catch (err) {
    if (seq !== state.seq || err.superseded) return;
    banner(err.message);
  } finally {
    if (seq === state.seq) {
      window.blastradius.busy = false;
      const ms = performance.now() - t0;
      if (!window.blastradius.ready) window.blastradius.ready = performance.now();
      else window.blastradius.redraws.push(ms);
    }
  }
}

// renderContextNote says, under the drawing, when the server drew only
// part of the ring of context around the blast radius (export's title
// says "and 50 of the 480 nodes of its ring of context"), and offers the
// whole ring; once the whole ring is asked for, it offers the cut back.
function renderContextNote(dot) {
  const note = $('context-note');
  const cut = /blast radius and ([\d,]+) of the ([\d,]+) nodes of its ring of context/.exec(dot);
  if (cut) {
    note.replaceChildren('Drawn: ' + cut[1] + ' of the ' + cut[2] + ' nodes around the blast radius, those with the most users. ',
      el('button', { id: 'ring-all', type: 'button', onclick: toggleRing }, 'Draw the whole ring'));
  } else if (state.ring && dot) {
    note.replaceChildren('The whole ring of context is drawn (slower to lay out around a large radius). ',
      el('button', { id: 'ring-all', type: 'button', onclick: toggleRing }, 'Draw less context'));
  } else {
    note.replaceChildren();
  }
  note.hidden = !note.firstChild;
}

function toggleRing() {
  state.ring = !state.ring;
  writeURL();
  redraw();
}

// nodeId is the model id a drawn node or cluster stands for.
function nodeId(g) {
  const t = g.querySelector('title');
  if (!t) return null;
  const name = t.textContent;
  if (g.classList.contains('cluster')) return name.replace(/^cluster_(site|region) /, '');
  return name === '~legend' ? null : name;
}

function showDrawing(text) {
  state.svgText = text;
  const svg = document.importNode(new DOMParser().parseFromString(text, 'image/svg+xml').documentElement, true);
  const vb = svg.viewBox.baseVal;
  state.view = { x: vb.x, y: vb.y, w: vb.width, h: vb.height, w0: vb.width, h0: vb.height };
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
  for (const g of svg.querySelectorAll('g.node, g.cluster')) {
    const id = nodeId(g);
    if (!id) continue;
    g.dataset.id = id;
    g.classList.add('pick');
  }
  $('drawing').replaceChildren(svg);
  $('drawing').classList.remove('stale');
  markSelected();
}

function markSelected() {
  for (const g of document.querySelectorAll('#drawing g.selected')) g.classList.remove('selected');
  if (!state.selected) return;
  for (const g of document.querySelectorAll('#drawing g.pick')) {
    if (g.dataset.id === state.selected) g.classList.add('selected');
  }
}

function setView() {
  const svg = $('drawing').querySelector('svg');
  const v = state.view;
  if (svg && v) svg.setAttribute('viewBox', `${v.x} ${v.y} ${v.w} ${v.h}`);
}

// Pan by dragging, zoom with the wheel around the pointer; a click selects
// and a double-click removes or restores.
(function interact() {
  const d = $('drawing');
  let drag = null;
  const scale = () => {
    const svg = d.querySelector('svg');
    const r = svg.getBoundingClientRect();
    return Math.max(state.view.w / r.width, state.view.h / r.height);
  };
  d.addEventListener('wheel', (ev) => {
    const svg = d.querySelector('svg');
    if (!svg || !state.view) return;
    ev.preventDefault();
    const v = state.view;
    const f = Math.exp(ev.deltaY * 0.0015);
    const nw = Math.min(Math.max(v.w * f, v.w0 / 50), v.w0 * 4);
    const k = nw / v.w;
    const pt = svg.createSVGPoint();
    pt.x = ev.clientX; pt.y = ev.clientY;
    const p = pt.matrixTransform(svg.getScreenCTM().inverse());
    v.x = p.x - (p.x - v.x) * k; v.y = p.y - (p.y - v.y) * k;
    v.w *= k; v.h *= k;
    setView();
  }, { passive: false });
  d.addEventListener('pointerdown', (ev) => {
    if (!d.querySelector('svg') || ev.button !== 0) return;
    drag = { x: ev.clientX, y: ev.clientY, vx: state.view.x, vy: state.view.y, moved: false, s: scale() };
  });
  window.addEventListener('pointermove', (ev) => {
    if (!drag) return;
    const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    if (!drag.moved) return;
    state.view.x = drag.vx - dx * drag.s;
    state.view.y = drag.vy - dy * drag.s;
    setView();
  });
  window.addEventListener('pointerup', () => { setTimeout(() => { drag = null; }, 0); });
  d.addEventListener('click', (ev) => {
    if (drag && drag.moved) return;
    const g = ev.target.closest('g.pick');
    if (g) { ev.preventDefault(); select(g.dataset.id); }
  });
  d.addEventListener('dblclick', (ev) => {
    const g = ev.target.closest('g.pick');
    if (!g) return;
    ev.preventDefault();
    const id = g.dataset.id;
    if (state.byId.has(id) || id.includes('@')) toggleFail(id);
  });
})();

// ---- panels --------------------------------------------------------------

function renderScenario() {
  const s = $('scenario');
  s.replaceChildren();
  if (!state.fail.length) { s.append(el('span', { class: 'muted' }, 'nothing removed')); return; }
  for (const f of state.fail) {
    s.append(el('span', { class: 'chip' }, f,
      el('button', { title: 'restore ' + f, 'aria-label': 'restore ' + f, onclick: () => toggleFail(f) }, '×')));
  }
}

function renderTotals() {
  const t = state.outcome.totals;
  const row = (k, v, cls) => el('tr', { class: cls || '' }, el('th', {}, k), el('td', {}, v));
  $('totals').replaceChildren(table([], [
    row('removed', num(t.removed)),
    row('down', num(t.down) + ' (' + num(t.services_down) + ' services)', 'down'),
    row('degraded', num(t.degraded) + ' (' + num(t.services_degraded) + ' services)', 'degraded'),
    row('up, redundancy lost', num(t.redundancy_lost), 'lost'),
    row('user-services down', num(t.users_down), 'down'),
    row('user-services degraded', num(t.users_degraded), 'degraded'),
    row('people down, at least', num(t.max_users_down), 'down'),
  ]));
}

const maxRows = 200;

function renderAffected() {
  const effects = state.outcome.effects.filter((e) => !e.replica || e.users);
  const sorted = effects.slice().sort((a, b) => (b.users || 0) - (a.users || 0));
  const rows = sorted.slice(0, maxRows).map((e) => el('tr', {
    class: 'row ' + e.state, 'data-id': e.id, onclick: () => select(e.id),
  }, el('td', {}, e.id), el('td', {}, e.removed ? 'removed' : e.state), el('td', { class: 'n' }, num(e.users)),
  el('td', { class: 'chain' }, chainText(e))));
  const parts = [table(['node', 'state', 'users', 'chain of causes'], rows)];
  if (sorted.length > maxRows) parts.push(el('p', { class: 'muted' }, '… ' + num(sorted.length - maxRows) + ' more (export JSON for all)'));
  if (!sorted.length) parts.splice(0, 1, el('p', { class: 'muted' }, 'nothing is affected'));
  $('affected').replaceChildren(...parts);
}

async function showNode() {
  const id = state.selected;
  const box = $('node');
  if (!id) { box.textContent = 'click a node of the drawing, or a row'; $('spofs').replaceChildren(); return; }
  const n = state.byId.get(id);
  const e = state.effects.get(id);
  const st = e ? (e.removed ? 'removed' : e.state) : 'up';
  const parts = [
    el('p', {}, el('b', { class: 'node-id' }, id), ' ', el('span', { class: 'muted' }, n ? n.kind : (e ? e.kind : '')),
      ' ', el('span', { class: 'state ' + (e ? e.state : 'up'), id: 'node-state' }, st)),
  ];
  if (e && e.chain) parts.push(el('p', {}, 'why: ', el('span', { class: 'chain', id: 'node-chain' }, chainText(e))));
  if (n && n.users) parts.push(el('p', {}, num(n.users) + ' users'));
  if (n && n.description) parts.push(el('p', { class: 'desc' }, n.description));
  if (n || id.includes('@')) {
    parts.push(el('button', { id: 'node-toggle', onclick: () => toggleFail(id) }, isFailed(id) ? 'restore it' : 'remove it'));
  }
  box.replaceChildren(...parts);
  if (!n) {
    $('spofs').replaceChildren(el('p', { class: 'muted' }, 'single points of failure are found for nodes'));
    $('cutsets').replaceChildren();
    $('audit').replaceChildren();
    return;
  }
  // The panels of the node selected before must not pass for this one's.
  for (const p of ['spofs', 'cutsets', 'audit']) {
    if ($(p).dataset.id !== id) $(p).replaceChildren(el('p', { class: 'muted' }, '…'));
    $(p).dataset.id = id;
  }
  showCutSets(id);
  showAudit(id);
  try {
    const doc = await api('/api/spof?target=' + encodeURIComponent(id));
    if (state.selected !== id) return;
    const rows = doc.spofs.map((s) => el('tr', { class: 'row', onclick: () => toggleFail(s.id) },
      el('td', {}, s.id), el('td', {}, s.kind), el('td', { class: 'chain' }, s.chain.join(' → '))));
    $('spofs').replaceChildren(rows.length ? table(['fails it alone', 'kind', 'chain'], rows) :
      el('p', { class: 'muted' }, id + ' has no single point of failure'));
  } catch (err) {
    $('spofs').textContent = err.message;
  }
}

// showCutSets lists the minimal sets of one or two failures that take the
// selected node down (cutsets --order 2).
async function showCutSets(id) {
  try {
    const doc = await api('/api/cutsets?target=' + encodeURIComponent(id));
    if (state.selected !== id) return;
    const rows = doc.cut_sets.map((cs) => el('tr', { class: 'row', onclick: () => { state.fail = cs.ids.slice(); writeURL(); redraw(); } },
      el('td', {}, cs.ids.join(' + ')), el('td', {}, cs.kinds.join(', ')),
      el('td', { class: 'chain' }, cs.chains.map((c) => c.join(' → ')).join('; '))));
    const note = doc.truncated ? ' (stopped at ' + doc.cut_sets.length + '; complete up to order ' + doc.complete_order + ')' : '';
    $('cutsets').replaceChildren(rows.length ? table(['remove', 'kinds', 'chains'], rows) : el('p', { class: 'muted' }, 'no set of one or two failures takes ' + id + ' down'),
      el('p', { class: 'muted' }, doc.counts.map((c, i) => c + ' of order ' + (i + 1)).join(', ') + note));
  } catch (err) {
    $('cutsets').textContent = err.message;
  }
}

// showAudit lists the selected node's redundancy claims and what defeats
// them (audit --owner ID): hidden common causes first.
async function showAudit(id) {
  try {
    const doc = await api('/api/audit?owner=' + encodeURIComponent(id));
    if (state.selected !== id) return;
    const rows = [];
    for (const c of doc.claims || []) {
      const defeats = c.defeats || [];
      rows.push(el('tr', { class: defeats.some((d) => d.hidden) ? 'row down' : 'row' },
        el('td', {}, c.label), el('td', {}, c.rule), el('td', { class: 'n' }, String(c.tolerance)),
        el('td', { class: 'chain' }, defeats.length ? defeats.map((d) => d.ids.join(' + ') + (d.hidden ? ' (hidden)' : '')).join('; ') : 'none found')));
    }
    $('audit').replaceChildren(rows.length ? table(['claim', 'rule', 'members lost to fail it', 'defeated by'], rows) :
      el('p', { class: 'muted' }, id + ' makes no redundancy claim'));
  } catch (err) {
    $('audit').textContent = err.message;
  }
}

async function renderRank() {
  try {
    const doc = await api('/api/rank?top=30');
    const rows = doc.radii.map((r) => el('tr', { class: 'row', 'data-id': r.id, onclick: () => toggleFail(r.id) },
      el('td', {}, r.id), el('td', {}, r.kind), el('td', { class: 'n' }, num(r.down)), el('td', { class: 'n' }, num(r.users_down))));
    $('rank').replaceChildren(table(['removed alone', 'kind', 'down', 'user-services down'], rows));
  } catch (err) {
    $('rank').textContent = err.message;
  }
}

async function renderRedundancy() {
  try {
    const doc = await api('/api/redundancy');
    const rows = (doc.sites || []).map((s) => el('tr', { class: 'row', onclick: () => select(s.site) },
      el('td', {}, s.site), el('td', { class: 'n' }, num(s.survive) + ' of ' + num(doc.services)),
      el('td', { class: 'n' }, num(s.down.length)), el('td', { class: 'n' }, num(s.users_down))));
    $('redundancy').replaceChildren(
      el('p', {}, 'rate ' + Math.round(doc.rate * 100) + '% of services, ' + Math.round(doc.users_rate * 100) + '% of users survive any one site'),
      table(['site lost', 'services survive', 'down', 'user-services down'], rows));
  } catch (err) {
    $('redundancy').textContent = err.message;
  }
}

async function drawTimeline() {
  const t = $('timeline');
  t.dataset.shown = '1';
  if (!state.fail.length) { t.textContent = 'remove something first'; return; }
  try {
    const svg = await api('/api/recover' + query({ for: $('repair').value, format: 'svg' }), 'text');
    t.innerHTML = svg; // the server's own Gantt chart (export.TimelineSVG)
  } catch (err) {
    t.textContent = err.message;
  }
}

$('recover-form').addEventListener('submit', (ev) => { ev.preventDefault(); drawTimeline(); });
$('whole').addEventListener('change', () => { state.whole = $('whole').checked; writeURL(); redraw(); });

// ---- search --------------------------------------------------------------

let hits = [];
let hit = 0;

function search(q) {
  q = q.trim().toLowerCase();
  if (!q) return [];
  const scored = [];
  for (const n of state.model.nodes) {
    const id = n.id.toLowerCase();
    let score = -1;
    if (id === q) score = 0;
    else if (id.startsWith(q)) score = 1;
    else if (id.includes(q)) score = 2;
    else if (n.kind === q) score = 3;
    else if (n.labels && Object.entries(n.labels).some(([k, v]) => (k + '=' + v).toLowerCase().includes(q))) score = 4;
    if (score >= 0) scored.push([score, n]);
    if (scored.length > 5000) break;
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].id.localeCompare(b[1].id));
  return scored.slice(0, 12).map((s) => s[1]);
}

function showHits() {
  const ul = $('results');
  ul.replaceChildren(...hits.map((n, i) => el('li', {
    class: i === hit ? 'hit' : '', role: 'option', 'data-id': n.id,
    onmousedown: (ev) => { ev.preventDefault(); toggleFail(n.id); closeSearch(); },
  }, el('b', {}, n.id), ' ', el('span', { class: 'muted' }, n.kind + (n.labels ? ' · ' + Object.entries(n.labels).map(([k, v]) => k + '=' + v).join(' ') : '')),
  isFailed(n.id) ? el('span', { class: 'chip' }, 'removed') : '')));
  ul.hidden = !hits.length;
}

function closeSearch() {
  $('search').value = '';
  hits = [];
  showHits();
  $('search').blur();
}

// A "/" that focused the search may still arrive as text (an automated
// keyboard, some IMEs): ids never start with one, so it is dropped.
$('search').addEventListener('input', () => {
  const s = $('search');
  if (s.value.startsWith('/')) s.value = s.value.slice(1);
  hits = search(s.value); hit = 0; showHits();
});
$('search').addEventListener('keydown', (ev) => {
  if (ev.key === 'ArrowDown') { hit = Math.min(hit + 1, hits.length - 1); showHits(); ev.preventDefault(); }
  else if (ev.key === 'ArrowUp') { hit = Math.max(hit - 1, 0); showHits(); ev.preventDefault(); }
  else if (ev.key === 'Escape') closeSearch();
  else if (ev.key === 'Enter' && hits[hit]) { const id = hits[hit].id; closeSearch(); select(id); toggleFail(id); }
});
$('search').addEventListener('blur', () => setTimeout(() => { $('results').hidden = true; }, 100));

document.addEventListener('keydown', (ev) => {
  if (ev.key === '/' && document.activeElement !== $('search') && !(ev.target instanceof HTMLInputElement)) {
    ev.preventDefault();
    $('search').focus();
  }
});

// ---- exports -------------------------------------------------------------

function download(name, blob) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

const baseName = () => (state.model.model || 'model') + (state.fail.length ? '-' + state.fail.join('+').replace(/[^A-Za-z0-9_+.-]/g, '_') : '');

$('export-svg').addEventListener('click', () => {
  if (state.svgText) download(baseName() + '.svg', new Blob([state.svgText], { type: 'image/svg+xml' }));
});

$('export-png').addEventListener('click', () => {
  if (!state.svgText) return;
  const img = new Image();
  img.onload = () => {
    const k = 2; // twice the drawing's size in points: sharp on a screen
    const c = el('canvas', { width: img.width * k, height: img.height * k });
    const g = c.getContext('2d');
    g.fillStyle = 'white';
    g.fillRect(0, 0, c.width, c.height);
    g.drawImage(img, 0, 0, c.width, c.height);
    c.toBlob((b) => download(baseName() + '.png', b), 'image/png');
  };
  img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(state.svgText);
});

$('export-md').addEventListener('click', async () => {
  try {
    const parts = [await api('/api/simulate' + query({ format: 'markdown' }), 'text')];
    if (state.selected && state.byId.has(state.selected)) {
      parts.push(await api('/api/spof?format=markdown&target=' + encodeURIComponent(state.selected), 'text'));
    }
    download(baseName() + '.md', new Blob([parts.join('\n')], { type: 'text/markdown' }));
  } catch (err) { banner(err.message); }
});

$('export-json').addEventListener('click', () => {
  if (state.outcome) download(baseName() + '.json', new Blob([JSON.stringify(state.outcome, null, 2) + '\n'], { type: 'application/json' }));
});

// ---- start, and follow the model file (serve --watch) ---------------------

async function loadModel() {
  state.model = await api('/api/model');
  state.byId = new Map(state.model.nodes.map((n) => [n.id, n]));
  $('model-name').textContent = state.model.model;
  document.title = 'blastradius · ' + state.model.model;
}

async function start() {
  readURL();
  try {
    const st = await api('/api/status');
    state.gen = st.generation;
    await loadModel();
  } catch (err) {
    banner(err.message);
    return;
  }
  await redraw();
  renderRank();
  renderRedundancy();
  setInterval(poll, 1500);
}

async function poll() {
  let st;
  try { st = await api('/api/status'); } catch (err) { banner('the server is gone: ' + err.message); return; }
  if (st.error) banner('the model file has a problem, showing the last good one: ' + st.error);
  if (st.generation === state.gen) return;
  state.gen = st.generation;
  if (st.error) return;
  await loadModel();
  await redraw();
  renderRank();
  renderRedundancy();
}

start();
