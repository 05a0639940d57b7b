// The explorer's layout worker: Graphviz (viz-global.js) lays out a DOT
// drawing off the page's thread, so a large blast radius never freezes
// the page, and a layout that a newer click made useless is ended.
'use strict';
importScripts('generated/viz-global.js');
const ready = Viz.instance();
onmessage = async (ev) => {
  const viz = await ready;
  const r = viz.render(ev.data.dot, { format: 'svg' });
  postMessage({ seq: ev.data.seq, ok: r.status === 'success', svg: r.output, errors: (r.errors || []).map((e) => e.message) });
};
