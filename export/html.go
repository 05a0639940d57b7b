package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"html"
	"io"
	"strconv"

	"github.com/blastradius-go/blastradius/analyze"
	"github.com/blastradius-go/blastradius/graph"
	"github.com/blastradius-go/blastradius/internal/web/generated"
)

// HTMLOptions control OutcomeHTML.
type HTMLOptions struct {
	// Graph are the drawing's options: Focus (the blast radius and one
	// ring of context; advised for large models, whose whole drawing a
	// browser cannot lay out), RankDir, FullChains for the tooltips.
	Graph GraphOptions
	// FullChains prints each table row's chain of causes in full; by
	// default it is cut after ChainLinks links with "… N more".
	FullChains bool
	// Library replaces the inlined Graphviz (viz-global.js) with a comment
	// naming it, when set: for golden files that should not hold 1.3 MB of
	// someone else's code. The report then draws nothing.
	Library string
}

// OutcomeHTML writes the outcome as one self-contained HTML file, to
// attach to a postmortem or a design review: the drawing DOT writes, laid
// out when the file is opened by Graphviz compiled to WebAssembly (inlined,
// so the file needs no server and no network, and the picture is the one
// `simulate --format svg` draws), with pan (drag), zoom (wheel) and each
// node's tooltip (state, why, description) on hover; then the totals and,
// as Markdown's, one table per state of the model's nodes sorted by users,
// with why. Text from the model is escaped. The same model and scenario
// give the same bytes.
func OutcomeHTML(w io.Writer, o *analyze.Outcome, opts HTMLOptions) error {
	var dot bytes.Buffer
	if err := DOT(&dot, o, opts.Graph); err != nil {
		return err
	}
	// The DOT goes in as a JSON string: json.Marshal escapes <, > and &,
	// so no label can end the script element.
	dotJSON, err := json.Marshal(dot.String())
	if err != nil {
		return err
	}
	c := o.Compiled()
	t := o.Totals
	x := newExplainer(o, opts.FullChains)
	lib := generated.VizGlobalJS
	if opts.Library != "" {
		lib = "/* " + opts.Library + " */"
	}
	d := htmlDoc{
		Title:    modelName(c) + ": remove " + joinLabels(scenarioLabels(c, o.Scenario, "")),
		Summary:  Summary(o),
		Viz:      lib,
		DOT:      string(dotJSON),
		Script:   htmlScript,
		Style:    htmlStyle,
		Removed:  plural(t.Removed, "node"),
		MaxUsers: count(t.MaxUsersDown),
		Totals: []htmlTotal{
			{"down", htmlClass[shownDown], count(t.Down), count(t.ServicesDown), count(t.UsersDown)},
			{"degraded", htmlClass[shownDegraded], count(t.Degraded), count(t.ServicesDegraded), count(t.UsersDegraded)},
			{"up, redundancy lost", htmlClass[shownLost], count(t.RedundancyLost), "", ""},
		},
	}
	sorted := o.Sorted()
	for _, sec := range []struct {
		state shown
		title string
	}{{shownDown, "Down"}, {shownDegraded, "Degraded"}, {shownLost, "Up, redundancy lost"}} {
		s := htmlSection{Title: sec.title, Class: htmlClass[sec.state]}
		for _, e := range sorted {
			if shownEffect(e) != sec.state || e.Replica {
				continue
			}
			r := htmlRow{ID: e.ID, Kind: e.Kind.String(), Users: "–", Tier: "–", Why: string(x.appendWhy(nil, e))}
			if e.Users > 0 {
				r.Users = count(e.Users)
			}
			if e.Tier != graph.NoTier {
				r.Tier = strconv.Itoa(e.Tier)
			}
			s.Rows = append(s.Rows, r)
		}
		if len(s.Rows) > 0 {
			s.Count = count(len(s.Rows))
			d.Sections = append(d.Sections, s)
		}
	}
	bw := bufio.NewWriter(w)
	writeHTML(bw, d)
	return bw.Flush()
}

func joinLabels(ls []string) string {
	var b bytes.Buffer
	for i, l := range ls {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(l)
	}
	return b.String()
}

// htmlClass is the CSS class of a state's rows.
var htmlClass = [...]string{shownUp: "up", shownLost: "lost", shownDegraded: "degraded", shownDown: "down"}

type htmlDoc struct {
	Title, Summary    string
	Removed, MaxUsers string
	Totals            []htmlTotal
	Sections          []htmlSection
	// Viz, DOT, Script and Style go in as they are: the library, the DOT
	// as a JSON string (which cannot end the script), our own code.
	Viz, DOT, Script, Style string
}

type htmlTotal struct{ Name, Class, Nodes, Services, Users string }

type htmlSection struct {
	Title, Class, Count string
	Rows                []htmlRow
}

type htmlRow struct{ ID, Kind, Users, Tier, Why string }

// writeHTML writes the report. It escapes by hand (html.EscapeString)
// rather than with html/template, whose reflection keeps every exported
// method of every type in the binary: 8 MB more for the CLI.
func writeHTML(w *bufio.Writer, d htmlDoc) {
	e := html.EscapeString
	p := func(parts ...string) {
		for _, s := range parts {
			w.WriteString(s)
		}
	}
	p(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="blastradius">
<title>Blast radius: `, e(d.Title), `</title>
<style>`, d.Style, `</style>
</head>
<body>
<h1>Blast radius: `, e(d.Title), `</h1>
<p>`, e(d.Summary), `</p>
<div id="drawing" title="drag to pan, wheel to zoom"><noscript>The drawing is laid out by JavaScript; the tables follow.</noscript></div>
<div id="tip" hidden></div>
<h2>Totals</h2>
<table>
<thead><tr><th></th><th>nodes</th><th>services</th><th>user-services</th></tr></thead>
<tbody>
`)
	for _, t := range d.Totals {
		p(`<tr><th><span class="sw `, t.Class, `"></span> `, e(t.Name), `</th><td class="n">`, t.Nodes, `</td><td class="n">`, t.Services, `</td><td class="n">`, t.Users, "</td></tr>\n")
	}
	p("</tbody>\n</table>\n<p>")
	if d.MaxUsers != "0" {
		p(`At least <b>`, d.MaxUsers, ` people</b> lose a service: the most users of any one node that is down. `)
	}
	p(`Down counts the `, d.Removed, ` the scenario removed. User-services count a person once per service they use; services are the nodes that are not sites, regions, power or network.</p>
`)
	for _, sec := range d.Sections {
		p("\n<h2 class=\"", sec.Class, `">`, sec.Title, ` (`, sec.Count, `)</h2>
<table class="`, sec.Class, `">
<thead><tr><th>node</th><th>kind</th><th>users</th><th>tier</th><th>why</th></tr></thead>
<tbody>
`)
		for _, r := range sec.Rows {
			p(`<tr><td><code>`, e(r.ID), `</code></td><td>`, r.Kind, `</td><td class="n">`, r.Users, `</td><td class="n">`, r.Tier, `</td><td>`, e(r.Why), "</td></tr>\n")
		}
		p("</tbody>\n</table>\n")
	}
	p("\n<script>", d.Viz, "</script>\n<script>\nconst dot = ", d.DOT, ";\n", d.Script, "\n</script>\n</body>\n</html>\n")
}

// htmlStyle is the report's CSS; the state colours are the drawings'.
const htmlStyle = `
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #1f2933; margin: 24px auto; max-width: 1200px; padding: 0 16px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 24px; }
#drawing { height: 70vh; border: 1px solid #aab2bd; border-radius: 4px; overflow: hidden; cursor: grab; }
#drawing svg { width: 100%; height: 100%; display: block; user-select: none; }
#tip { position: fixed; z-index: 5; max-width: 480px; padding: 6px 8px; background: #fff; border: 1px solid #aab2bd; border-radius: 4px; box-shadow: 0 4px 12px #0002; white-space: pre-wrap; font-size: 12px; pointer-events: none; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eee; vertical-align: top; }
td.n { text-align: right; white-space: nowrap; }
.sw { display: inline-block; width: 10px; height: 10px; border-radius: 2px; }
.sw.down { background: #d64541; } .sw.degraded { background: #f6a04d; } .sw.lost { background: #fde68a; }
table.down td:first-child { border-left: 4px solid #d64541; }
table.degraded td:first-child { border-left: 4px solid #f6a04d; }
table.lost td:first-child { border-left: 4px solid #fde68a; }
`

// htmlScript lays the drawing out and gives it pan, zoom and tooltips.
const htmlScript = `
(async () => {
  const box = document.getElementById('drawing');
  if (typeof Viz === 'undefined') { box.textContent = 'Graphviz is not in this file: no drawing.'; return; }
  const viz = await Viz.instance();
  const svg = viz.renderSVGElement(dot);
  const vb = svg.viewBox.baseVal;
  const v = { x: vb.x, y: vb.y, w: vb.width, h: vb.height, w0: vb.width };
  svg.removeAttribute('width'); svg.removeAttribute('height');
  box.replaceChildren(svg);
  const set = () => svg.setAttribute('viewBox', v.x + ' ' + v.y + ' ' + v.w + ' ' + v.h);
  box.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    const k = Math.min(Math.max(v.w * Math.exp(ev.deltaY * 0.0015), v.w0 / 50), v.w0 * 4) / v.w;
    const pt = svg.createSVGPoint(); pt.x = ev.clientX; pt.y = ev.clientY;
    const p = pt.matrixTransform(svg.getScreenCTM().inverse());
    v.x = p.x - (p.x - v.x) * k; v.y = p.y - (p.y - v.y) * k; v.w *= k; v.h *= k; set();
  }, { passive: false });
  let drag = null;
  box.addEventListener('pointerdown', (ev) => {
    const r = svg.getBoundingClientRect();
    drag = { x: ev.clientX, y: ev.clientY, vx: v.x, vy: v.y, s: Math.max(v.w / r.width, v.h / r.height) };
  });
  addEventListener('pointermove', (ev) => {
    if (!drag) return;
    v.x = drag.vx - (ev.clientX - drag.x) * drag.s; v.y = drag.vy - (ev.clientY - drag.y) * drag.s; set();
  });
  addEventListener('pointerup', () => { drag = null; });
  // Graphviz writes each node's tooltip as the title of a link; shown at
  // once, whole, instead of the browser's delayed one-line tooltip.
  const tip = document.getElementById('tip');
  for (const a of svg.querySelectorAll('a')) {
    const t = a.getAttribute('xlink:title') || a.getAttribute('title');
    if (!t) continue;
    a.removeAttribute('xlink:title'); a.removeAttribute('title');
    a.addEventListener('mouseenter', () => { tip.textContent = t; tip.hidden = false; });
    a.addEventListener('mousemove', (ev) => { tip.style.left = (ev.clientX + 14) + 'px'; tip.style.top = (ev.clientY + 14) + 'px'; });
    a.addEventListener('mouseleave', () => { tip.hidden = true; });
  }
})();
`
