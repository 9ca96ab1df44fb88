// vecgrad dashboard: one page, three views (runs, run, inside), chosen by the URL's hash.
// Everything it shows comes from the JSON API under /api/ (documented in the README).
"use strict";

const view = document.getElementById("view");
const crumbs = document.getElementById("crumbs");
const tip = document.getElementById("tip");
const POLL_MS = 1000;
let timer = null;          // the current view's refresh timer
let charts = [];           // uPlot instances of the run view
let generation = 0;        // bumped on every navigation, so late answers for an old view are dropped
let sampleSource = null;   // the open sample stream, if any
let fitter = null;         // watches the run view's chart grid: uPlot keeps the width a chart was made at
let fitTimer = 0;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

const OFFLINE = "The dashboard server does not answer: it was stopped (a train --dashboard serves only while the run trains). "
  + "What was loaded stays on the page; the runs list and a run's curves reconnect by themselves when a dashboard is back "
  + "on this address, the inside view at your next request.";

// Every request goes through here, so a stopped server and an answer that is not the API's JSON
// (a 403 refusal is plain text) read as sentences, not as the browser's "Failed to fetch" or a JSON
// parser's "Unexpected token".
async function api(path) {
  let r;
  try { r = await fetch(path, { cache: "no-store" }); } catch (e) { setLive("offline"); throw Object.assign(new Error(OFFLINE), { offline: true }); }
  const text = await r.text();
  let body = null;
  try { body = JSON.parse(text); } catch (e) { /* not JSON: reported below with its first line */ }
  if (!r.ok || body === null) throw new Error((body && body.error) || `HTTP ${r.status}: ${text.trim().split("\n")[0].slice(0, 300) || "an empty answer"}`);
  if (live.dataset.state === "offline") setLive("off");
  return body;
}

const live = document.getElementById("live");
// The header's dot: "live" while a shown run trains, "off" otherwise, "offline" while the server does not answer.
function setLive(state) {
  live.dataset.state = state;
  live.className = state === "live" ? "" : state;
  live.textContent = state === "offline" ? "● server stopped" : state === "live" ? "● live" : "● idle";
  live.title = state === "offline" ? OFFLINE
    : state === "live" ? "a run shown here is training; the page follows it by itself" : "no run shown here is training";
}

const fmt = (v, d = 4) => (v === null || v === undefined || Number.isNaN(v)) ? "–" : Number(v).toFixed(d);
// A change in loss as `vecgrad heads` prints it (%+.4f): three decimals made a head that lowers the loss a little read "-0.000".
const signed4 = v => (v >= 0 ? "+" : "") + v.toFixed(4);
const fmtInt = v => (v === null || v === undefined) ? "–" : Number(v).toLocaleString("en-US");
// A token as the command line shows it (AttentionMaps.label, the definition; DashboardBrowserTest
// checks that both agree): space, line feed and tab as symbols, ASCII controls and DEL as <0xNN>,
// every other invisible character (controls, format characters, separators, spaces other than
// U+0020, variation selectors, lone surrogates) as <U+XXXX>; a leading combining mark on a ◌.
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Zs}\p{Cs}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}]/gu;
const LEADING_MARK = /^(?![\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}])[\p{Mn}\p{Me}]/u;
const hex = (n, w) => n.toString(16).toUpperCase().padStart(w, "0");
const label = s => (LEADING_MARK.test(s) ? "◌" : "") + s.replace(HIDDEN, c => {
  if (c === " ") return "␣";
  if (c === "\n") return "⏎";
  if (c === "\t") return "⇥";
  const cp = c.codePointAt(0);
  return cp < 0x80 ? `<0x${hex(cp, 2)}>` : `<U+${hex(cp, 4)}>`;
});
const enc = encodeURIComponent;
const two = n => String(n).padStart(2, "0");
const when = iso => { const d = new Date(iso); return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`; };

function stopView() {
  generation++;
  clearTimeout(timer);
  timer = null;
  for (const c of charts) c.destroy();
  charts = [];
  if (fitter) fitter.disconnect();
  fitter = null;
  clearTimeout(fitTimer);
  if (sampleSource) sampleSource.close();
  sampleSource = null;
  tip.hidden = true;
  if (live.dataset.state !== "offline") setLive("off");
}

// The longest wait between two tries while the server does not answer: how soon a dashboard that is
// back on the address is found.
const OFFLINE_MAX_MS = 8000;

// Runs a view's refresh every `ms`, the next once this one has finished: setInterval starts one
// every period however long the server takes, and two refreshes of a run at once read the same
// metrics lines (the later then takes the file for rewritten and reads it all again). While the
// server does not answer, twice as long each time up to OFFLINE_MAX_MS: every refused request is
// an error line in the browser's console, two a second for as long as the page stays open.
function poll(gen, refresh, ms) {
  let wait = ms;
  const tick = async () => {
    try {
      await refresh();
    } finally {
      if (gen === generation) {
        wait = live.dataset.state === "offline" ? Math.min(OFFLINE_MAX_MS, 2 * wait) : ms;
        timer = setTimeout(tick, wait);
      }
    }
  };
  timer = setTimeout(tick, ms);
}

function route() {
  stopView();
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  const parts = path.split("/");
  const params = new URLSearchParams(query || "");
  const gen = generation;
  if (parts[0] === "run" && parts[1]) return showRun(parts[1].split(",").map(decodeURIComponent), gen);
  if (parts[0] === "inside" && parts[1]) return showInside(decodeURIComponent(parts[1]), gen, params.get("prompt"));
  return showRuns(gen);
}

function setCrumbs(...links) {
  crumbs.replaceChildren(el("a", { href: "#/", text: "Runs" }), ...links);
}

function showError(where, e) {
  where.replaceChildren(el("p", { class: "error", text: e.message || String(e) }));
}

/* ---------------- Runs ---------------- */

async function showRuns(gen) {
  setCrumbs();
  view.replaceChildren(el("h1", { text: "Runs" }), el("p", { class: "muted", text: "Loading…" }));
  const selected = new Set();
  const compare = el("button", { id: "compare", disabled: true, onclick: () => {
    location.hash = "#/run/" + [...selected].map(enc).join(",");
  } }, "Compare selected");
  // The box that scrolls a table wider than the window is made once: the table in it is made anew
  // every two seconds, and a new box would scroll back to the left, away from the column a reader
  // scrolled to (the "inside" links are the last).
  const table = el("div", { id: "runs", class: "scroll" });
  const problem = el("div", { id: "problem" });
  view.replaceChildren(el("h1", { text: "Runs" }), el("div", { class: "toolbar" }, compare,
    el("span", { class: "muted", text: "Tick two or more runs to overlay their curves." })), problem, table);
  async function refresh() {
    let data;
    // The last list stays below the message: a server that stopped is often back a moment later.
    try { data = await api("/api/runs"); } catch (e) { if (gen === generation) showError(problem, e); return; }
    if (gen !== generation) return;
    problem.replaceChildren();
    setLive(data.runs.some(r => r.state === "running") ? "live" : "off");
    if (data.runs.length === 0) {
      table.replaceChildren(el("p", { class: "muted", text: "No runs yet in this directory. Train one: " + data.train_command }));
      return;
    }
    const head = el("tr", {}, ["", "run", "state", "task", "model", "step", "train loss", "val loss", "accuracy", "tokens/s", "started", ""]
      .map(h => el("th", { text: h })));
    const rows = data.runs.map(r => {
      const box = el("input", { type: "checkbox", "aria-label": "compare " + r.name, checked: selected.has(r.name), onchange: e => {
        if (e.target.checked) selected.add(r.name); else selected.delete(r.name);
        compare.disabled = selected.size < 2;
      } });
      const model = r.n_layer ? `${r.n_layer}×${r.n_head}×${r.n_embd}` + (r.parameters ? `, ${fmtInt(r.parameters)} params` : "")
        : (r.parameters ? fmtInt(r.parameters) + " params" : "–");
      const state = el("td", { class: "state" }, el("span", { class: "badge " + r.state, text: r.state }),
        r.broken ? el("span", { class: "badge broken", text: "broken", title: r.problems.join("\n") }) : null);
      return el("tr", { class: r.broken ? "broken run-row" : "run-row", "data-run": r.name, title: r.message || r.problems.join("\n") || null },
        el("td", {}, box),
        el("td", {}, el("a", { href: "#/run/" + enc(r.name), text: r.name })),
        state,
        el("td", { class: "task", text: r.task || "–" }),
        el("td", { class: "model", text: model }),
        el("td", { class: "num step" }, r.max_iters
          ? [el("span", { class: "nobr", text: fmtInt(r.step) + " /" }), " ", el("span", { class: "nobr", text: fmtInt(r.max_iters) })]
          : fmtInt(r.step)),
        el("td", { class: "num", text: fmt(r.train_loss) }),
        el("td", { class: "num", text: fmt(r.val_loss) }),
        el("td", { class: "num", text: r.accuracy === null ? "–" : (100 * r.accuracy).toFixed(1) + "%" }),
        el("td", { class: "num", text: r.tokens_per_s === null ? "–" : fmtInt(Math.round(r.tokens_per_s)) }),
        el("td", { class: "when" }, when(r.started).split(" ").flatMap((part, i) => [i ? " " : null, el("span", { class: "nobr", text: part })])),
        el("td", {}, r.has_model ? el("a", { href: "#/inside/" + enc(r.name), text: "inside" }) : null));
    });
    // The table is made anew every two seconds, which would take the keyboard's focus (a run's
    // checkbox or link) with it: give the focus to the same control of the same run in the new one.
    const f = document.activeElement, row = table.contains(f) ? f.closest("tr.run-row") : null;
    const control = row ? [...row.querySelectorAll("input, a")].indexOf(f) : -1;
    table.replaceChildren(el("table", { class: "grid" }, el("thead", {}, head), el("tbody", {}, rows)));
    const again = row && rows.find(r => r.dataset.run === row.dataset.run);
    if (again && control >= 0) { const c = again.querySelectorAll("input, a")[control]; if (c) c.focus(); }
  }
  await refresh();
  if (gen === generation) poll(gen, refresh, 2 * POLL_MS);
}

/* ---------------- Run ---------------- */

const COLORS = ["#2457c5", "#d9622b", "#2a9d4b", "#8e44ad", "#c0392b", "#16a2b8", "#7f8c8d", "#b8860b"];

// The per-step table of one run: one metrics line per step, an evaluation step's line carrying
// the evaluation too (lines are normalised by the server's MetricsLog, so files of the older
// format, with the evaluation on a second line of the same step, merge here by step).
function byStep(lines) {
  const m = new Map();
  for (const l of lines) {
    const row = m.get(l.step) || {};
    if (l.val_loss !== undefined) {
      row.eval_train = l.eval_train_loss !== undefined ? l.eval_train_loss : l.train_loss;
      row.val = l.val_loss;
      if (l.accuracy !== undefined) row.accuracy = l.accuracy;
    }
    if (l.lr !== undefined) {
      row.batch = l.train_loss;
      row.lr = l.lr;
      row.grad_norm = l.grad_norm;
      row.tps = l.tokens_per_s;
      if (l.layer_grad_norm) row.layers = l.layer_grad_norm;
    }
    m.set(l.step, row);
  }
  return m;
}

// uPlot data for several runs on one step axis: [steps, ...one column per (run, field)].
function joined(runs, fields) {
  const steps = [...new Set(runs.flatMap(r => [...r.table.keys()]))].sort((a, b) => a - b);
  const cols = [steps];
  const series = [{ label: "step" }];
  runs.forEach((r, ri) => fields.forEach((f, fi) => {
    const ys = steps.map(s => { const row = r.table.get(s); const v = row ? f.get(row) : undefined; return v === undefined ? null : v; });
    if (ys.every(v => v === null)) return;
    cols.push(ys);
    series.push({ label: (runs.length > 1 ? r.name + " " : "") + f.name, stroke: COLORS[(ri * fields.length + fi) % COLORS.length],
      width: f.width || 1.5, spanGaps: true, points: { show: f.points || false, size: 6 }, dash: runs.length > 1 && ri > 0 ? [6, 3] : undefined });
  }));
  return { cols, series };
}

// The width inside a chart's box (.chart pads 8 pixels each side). Measured, not worked out from
// the window: .charts puts as many columns a row as fit (three on a 1920-pixel window), and the
// page's scroll bar, which comes with the charts, narrows them after they are drawn.
const plotWidth = box => Math.max(100, box.clientWidth - 16);

// A chart's box, and a function that draws the chart once the box is on the page (to measure it).
// `c` is one of showRun's charts: { id, title, yLabel, log, cols, series }.
function chartBox(c) {
  const box = el("div", { class: "chart", id: c.id }, el("h3", { text: c.title }));
  const plot = () => charts.push(new uPlot({
    width: plotWidth(box), height: 260, series: c.series,
    scales: { x: { time: false }, y: { distr: c.log ? 3 : 1 } },
    axes: [{ label: "step" }, { size: 60, label: c.yLabel }],
    legend: { live: true },
  }, c.cols, box));
  return { box, plot };
}

// Gives a chart on the page new data of the same series. A scale the user narrowed (a drag across
// the chart zooms the steps, setScale either axis) keeps its range, so new lines do not undo a
// zoom once a second; a scale that still shows all its data follows the new data, as a new chart
// would. Series hidden from the legend stay hidden: the chart is the same.
function setChartData(u, cols) {
  const x = u.scales.x, y = u.scales.y, steps = u.data[0];
  const zoomedX = steps.length > 0 && (x.min > steps[0] || x.max < steps[steps.length - 1]);
  // The y range is zoomed when it cuts off a shown value in the x range (uPlot's own y range
  // always takes them all in, with a margin).
  let lo = Infinity, hi = -Infinity;
  u.series.forEach((s, i) => {
    if (i === 0 || !s.show) return;
    u.data[i].forEach((v, j) => {
      if (v !== null && steps[j] >= x.min && steps[j] <= x.max) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    });
  });
  const zoomedY = lo <= hi && (y.min > lo || y.max < hi);
  const xRange = { min: x.min, max: x.max }, yRange = { min: y.min, max: y.max };
  u.setData(cols);
  if (zoomedX) u.setScale("x", xRange);
  if (zoomedY) u.setScale("y", yRange);
}

// Resizes the charts to their boxes (setSize, so a zoom or a series hidden from the legend stays).
function fitCharts() {
  for (const u of charts) {
    const w = plotWidth(u.root.parentNode);
    if (w !== u.width) u.setSize({ width: w, height: u.height });
  }
}

async function showRun(names, gen) {
  setCrumbs(el("a", { href: location.hash, text: names.join(" + ") }));
  const runs = names.map(name => ({ name, lines: [], next: 0, table: new Map(), info: null }));
  let log = localStorage.getItem("vecgrad.log") === "1";
  const logBox = el("input", { type: "checkbox", id: "log", checked: log, onchange: e => {
    log = e.target.checked; localStorage.setItem("vecgrad.log", log ? "1" : "0"); draw();
  } });
  const info = el("div", { id: "info" });
  const problem = el("div", { id: "problem" });
  const grid = el("div", { class: "charts", id: "charts" });
  view.replaceChildren(el("h1", { text: names.join(" + ") }), problem, info,
    el("div", { class: "toolbar" }, el("label", {}, logBox, " log scale (loss)"),
      names.length === 1 ? el("a", { href: "#/inside/" + enc(names[0]), text: "Look inside the model →" }) : null), grid);

  // What the charts on the page show (their ids and series, and the loss's scale): while it stays
  // the same, new metrics lines update the charts in place.
  let shape = null;

  function draw() {
    const layerNames = [...new Set(runs.flatMap(r => [...r.table.values()].flatMap(row => row.layers ? Object.keys(row.layers) : [])))];
    const specs = [
      // Cross-entropy with the natural logarithm: nats.
      { id: "chart-loss", title: "loss" + (log ? " (log)" : ""), yLabel: "loss (nats)", log, fields: [
        { name: "batch loss", get: r => r.batch, width: 1 },
        { name: "train (eval)", get: r => r.eval_train, points: true, width: 2 },
        { name: "val", get: r => r.val, points: true, width: 2 }] },
      { id: "chart-lr", title: "learning rate", yLabel: "learning rate", fields: [{ name: "lr", get: r => r.lr }] },
      { id: "chart-grad", title: "gradient norm (before clipping)", yLabel: "gradient norm", fields: [{ name: "grad norm", get: r => r.grad_norm }] },
      // metrics.jsonl logs the run's average so far (the JIT's warm-up steps excluded), not each step's speed.
      { id: "chart-tps", title: "tokens/s (average over the run so far)", yLabel: "tokens/s", fields: [{ name: "tokens/s", get: r => r.tps }] },
      { id: "chart-acc", title: "accuracy (held out)", yLabel: "accuracy (0 to 1)", fields: [{ name: "accuracy", get: r => r.accuracy, points: true }] },
      { id: "chart-layers", title: "per-layer gradient norm", yLabel: "gradient norm",
        fields: layerNames.map(n => ({ name: n.replace(/^transformer\./, ""), get: r => r.layers ? r.layers[n] : undefined })) },
    ];
    // A chart only for fields some run has logged (the series of a field no run has are left out too).
    const shown = specs.map(c => ({ ...c, ...joined(runs, c.fields) })).filter(c => c.cols.length > 1);
    const now = JSON.stringify([log, shown.map(c => [c.id, c.series.map(s => s.label)])]);
    if (now === shape) {
      shown.forEach((c, i) => setChartData(charts[i], c.cols));
      return;
    }
    // Another set of charts or series (the first evaluation adds one, the log box changes the
    // scale): uPlot fixes both when a chart is made, so the charts are made anew.
    shape = now;
    for (const c of charts) c.destroy();
    charts = [];
    const boxes = shown.map(chartBox);
    grid.replaceChildren(...boxes.map(b => b.box));
    for (const b of boxes) b.plot();
    if (boxes.length === 0) grid.replaceChildren(el("p", { class: "muted", text: "No metrics yet." }));
  }
  // The grid's width changes with the window and with the page's scroll bar (which no resize event
  // reports); fitted once the change pauses, not at every step of a drag.
  fitter = new ResizeObserver(() => { clearTimeout(fitTimer); fitTimer = setTimeout(fitCharts, 100); });
  fitter.observe(grid);

  async function refresh() {
    let changed = false;
    for (const r of runs) {
      try {
        let [m, s] = await Promise.all([api(`/api/runs/${enc(r.name)}/metrics?from=${r.next}`), api(`/api/runs/${enc(r.name)}`)]);
        if (gen !== generation) return;
        if (m.from < r.next) {
          // The file was rewritten with fewer lines (a resumed run trims what it will redo): read it again.
          r.lines = []; r.next = 0; changed = true;
          m = await api(`/api/runs/${enc(r.name)}/metrics?from=0`);
          if (gen !== generation) return;
        }
        if (m.metrics.length) { r.lines = r.lines.concat(m.metrics); changed = true; }
        r.next = m.next;
        r.info = s;
      } catch (e) {
        if (gen === generation) showError(problem, e.offline ? e : new Error(r.name + ": " + e.message));
        return;
      }
    }
    problem.replaceChildren();
    const note = tokenizerNote(runs);
    info.replaceChildren(...runs.map(r => el("p", { class: "run-info" },
      el("span", { class: "badge " + r.info.state, text: r.info.state }), " ",
      r.info.broken ? el("span", { class: "badge broken", text: "broken" }) : null, " ",
      `${r.name}: ${r.info.task || ""} · step ${fmtInt(r.info.step)}${r.info.max_iters ? " / " + fmtInt(r.info.max_iters) : ""}`,
      r.info.message ? " · " + r.info.message : "",
      r.info.problems.length ? el("span", { class: "muted", text: " · " + r.info.problems.join("; ") }) : null)),
      ...(note ? [note] : []));
    if (changed) {
      for (const r of runs) r.table = byStep(r.lines);
      draw();
    }
    setLive(runs.some(r => r.info && r.info.state === "running") ? "live" : "off");
  }
  await refresh();
  if (gen === generation) poll(gen, refresh, POLL_MS);
}

// A loss is per token: a character-level run's 3.1 and a BPE run's 5.4 do not compare, so overlaid
// runs of different tokenizers get one note saying so (as `vecgrad runs --compare` prints), naming
// the figure that does compare. Null for one run, or runs of one tokenizer.
function tokenizerNote(runs) {
  const toks = runs.map(r => r.info.tokenizer);
  if (runs.length < 2 || toks.some(t => !t) || new Set(toks.map(t => t.sha256)).size < 2) return null;
  const labels = runs.map((r, i) => `${r.name}: ${toks[i].type} ${toks[i].vocab_size}`);
  // Two BPE vocabularies of one size read alike: say that they differ all the same.
  const alike = new Set(toks.map(t => t.type + " " + t.vocab_size)).size === 1 ? ", different vocabularies" : "";
  return el("p", { class: "note", id: "tokenizer-note", text: `These runs use different tokenizers (${labels.join(", ")}${alike}), `
    + "so their losses (per token) are not comparable; bits per byte are: vecgrad eval --checkpoint <run directory> prints them for a text run." });
}

/* ---------------- Inside ---------------- */

function showInside(name, gen, linkedPrompt) {
  setCrumbs(el("a", { href: "#/run/" + enc(name), text: name }), el("a", { href: location.hash, text: "inside" }));
  // A text area, not an input: an input drops line feeds, and a prompt such as "ROMEO:\nI" needs them
  // (a linked prompt with %0A lost its line feed silently). Enter shows, Shift+Enter starts a new line.
  const prompt = el("textarea", { id: "prompt", rows: 2, maxlength: 1000, "aria-label": "prompt", spellcheck: "false",
    placeholder: "a prompt, e.g. ROMEO: or 12+34= (Shift+Enter for a new line)",
    // Not the Enter that ends an input method's composition: Safari sends it after compositionend,
    // so isComposing is false, but with the keyCode 229 of a key the input method took.
    onkeydown: e => { if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) { e.preventDefault(); show(); } } });
  prompt.value = linkedPrompt || sessionStorage.getItem("vecgrad.prompt") || "";
  const go = el("button", { id: "show", type: "submit" }, "Show");
  const status = el("span", { class: "muted", id: "inside-status" });
  const tokens = el("div", { class: "tokens", id: "tokens" });
  const maps = el("div", { class: "maps", id: "maps" });
  const attends = el("div", { id: "attends" });
  const explain = el("div", { id: "explain" });
  const out = el("pre", { class: "sample", id: "sample-out" });
  const maxNew = el("input", { type: "number", id: "max-new", value: 200, min: 0, max: 2000 });
  const temp = el("input", { type: "number", id: "temperature", value: 0.8, min: 0, step: 0.1 });
  const sampleBtn = el("button", { id: "sample", type: "button", class: "secondary" }, "Sample");
  const lens = el("div", { id: "lens" });
  const heads = el("div", { id: "heads" });
  const headsBtn = el("button", { id: "score-heads", type: "button", class: "secondary", onclick: () => loadHeads() }, "Score heads");
  const form = el("form", { class: "toolbar", onsubmit: e => { e.preventDefault(); show(); } }, prompt, go, status);
  view.replaceChildren(el("h1", { text: "Inside " + name }), form,
    el("h2", { text: "Tokens" }), el("p", { class: "muted", text: "Click a token to see what it attends to and to walk through its forward pass." }), tokens,
    el("h2", { text: "Attention (rows: query, columns: key; hover for the weight; click a map, or Enter on its title, to select it)" }), maps,
    el("div", { class: "columns" }, el("div", {}, el("h2", { text: "What the token attends to" }), attends),
      el("div", {}, el("h2", { text: "Explain" }), explain)),
    el("h2", { text: "Logit lens (each residual stream read through the final LayerNorm and lm_head)" }), lens,
    el("h2", { text: "Head scores" }), el("div", { class: "toolbar" }, headsBtn,
      el("span", { class: "muted", text: "previous-token, first-token, induction and mean-ablation scores of every head (vecgrad heads)" })), heads,
    el("h2", { text: "Sample" }), el("div", { class: "toolbar" }, el("label", {}, "tokens ", maxNew), el("label", {}, "temperature ", temp), sampleBtn), out);

  let data = null, sel = { layer: 0, head: 0, token: 0 };
  // Each panel shows only the answer to its newest request: an earlier answer that arrives late
  // (the last token's explain after a click chose another token, the previous prompt's lens)
  // must not replace a newer one.
  const latest = { show: 0, lens: 0, explain: 0 };

  async function show() {
    const text = prompt.value;
    if (!text) { status.textContent = "Type a prompt first."; return; }
    sessionStorage.setItem("vecgrad.prompt", text);
    status.textContent = "Running the model…";
    const mine = ++latest.show;
    let answer;
    try {
      answer = await api(`/api/runs/${enc(name)}/attention?prompt=${enc(text)}`);
    } catch (e) { if (gen === generation && mine === latest.show) { status.textContent = ""; showError(maps, e); } return; }
    if (gen !== generation || mine !== latest.show) return;
    data = answer;
    status.textContent = `${data.tokens.length} tokens, ${data.layers.length} layers × ${data.heads.length} heads`;
    sel = { layer: 0, head: 0, token: data.tokens.length - 1 };
    drawTokens(); drawMaps(); select(); loadLens();
  }

  async function loadLens() {
    const g = generation, mine = ++latest.lens;
    let r;
    try { r = await api(`/api/runs/${enc(name)}/lens?prompt=${enc(prompt.value)}`); } catch (e) { if (g === generation && mine === latest.lens) showError(lens, e); return; }
    if (g !== generation || mine !== latest.lens) return;
    const head = el("tr", {}, el("th", { text: "stream" }), r.tokens.map(t => el("th", { class: "mono", text: label(t.piece) })));
    const rows = r.streams.map(st => el("tr", { class: "lens-row" }, el("td", { class: "mono", text: st.stream }), st.positions.map(c => {
      const p = c.actual_next_probability;
      const td = el("td", { class: "mono", title: c.top.map(k => `${label(k.piece)} ${k.probability.toFixed(2)}`).join(", ")
        + (p === null ? "" : `; actual next: ${p.toFixed(2)}`) }, label(c.top[0].piece),
        // The probability as text too, as `vecgrad lens` prints it: a colour alone is lost on a
        // reader who does not tell the shades apart, and a title on one without a mouse.
        p === null ? null : el("span", { class: "p", text: p.toFixed(2) }));
      if (p !== null) td.style.background = `rgba(36, 87, 197, ${Math.min(1, p).toFixed(3)})`;
      if (p !== null && p > 0.5) td.style.color = "#fff";
      return td;
    })));
    lens.replaceChildren(el("p", { class: "muted", text: "Cells: the likeliest next token and, under it, the probability of the token that actually comes next (also the cell's colour)." }),
      el("div", { class: "scroll" }, el("table", { class: "grid small", id: "lens-table" }, head, rows)));
  }

  async function loadHeads() {
    const g = generation;
    headsBtn.disabled = true;
    heads.replaceChildren(el("p", { class: "muted", text: "Scoring every head…" }));
    let r;
    try { r = await api(`/api/runs/${enc(name)}/heads`); } catch (e) { if (g === generation) { showError(heads, e); headsBtn.disabled = false; } return; }
    if (g !== generation) return;
    headsBtn.disabled = false;
    const names = Object.keys(r.scores);
    heads.replaceChildren(el("p", { class: "muted", text: `held-out data: ${r.held_out}; clean loss ${r.clean_loss.toFixed(4)}` }),
      el("div", { class: "scroll" }, el("table", { class: "grid small", id: "heads-table" }, el("tr", {}, el("th", { text: "layer" }), el("th", { text: "head" }), names.map(n => el("th", { text: n }))),
        r.heads.map(h => el("tr", {}, el("td", { class: "num", text: h.layer }), el("td", { class: "num", text: h.head }),
          names.map(n => el("td", { class: "num", text: n === "ablation" ? signed4(h[n]) : h[n].toFixed(3) })))))));
  }

  function drawTokens() {
    // Buttons, so a token can be reached with Tab and chosen with Enter or Space, not only clicked.
    tokens.replaceChildren(...data.tokens.map((t, i) => el("button", { type: "button", class: "tok", "data-pos": i,
      title: "position " + i + ", id " + data.ids[i], text: label(t), onclick: () => { sel.token = i; markToken(); select(); } })));
    markToken();
  }

  // Marks the chosen token on the buttons there are: new buttons would take the keyboard's focus
  // away from the one just chosen, and Tab would start again at the top of the page.
  function markToken() {
    for (const b of tokens.children) {
      const chosen = +b.dataset.pos === sel.token;
      b.classList.toggle("selected", chosen);
      b.setAttribute("aria-pressed", chosen ? "true" : "false");
    }
  }

  function drawMaps() {
    const t = data.tokens.length;
    const cell = Math.max(6, Math.min(18, Math.floor(260 / t)));
    const layers = data.layers.map((l, li) => el("div", { class: "layer" }, data.heads.map((h, hi) => {
      const grid = el("div", { class: "attn", "data-layer": l, "data-head": h });
      grid.style.gridTemplateColumns = `repeat(${t}, ${cell}px)`;
      grid.style.setProperty("--cell", cell + "px");
      const w = data.weights[li][hi];
      for (let q = 0; q < t; q++) for (let k = 0; k < t; k++) {
        const v = w[q][k];
        const c = el("div", { class: k > q ? "cell masked" : "cell", "data-q": q, "data-k": k, "data-w": v.toFixed(6) });
        // The same colour scale as the command line's PNG: 0 white to 1 dark blue; masked (future) keys hatched grey.
        if (k <= q) c.style.background = `rgb(${Math.round(255 * (1 - 0.85 * v))},${Math.round(255 * (1 - 0.75 * v))},${Math.round(255 * (1 - 0.35 * v))})`;
        grid.append(c);
      }
      grid.addEventListener("mousemove", e => hover(e, l, h));
      grid.addEventListener("mouseleave", () => { tip.hidden = true; });
      // Tokens on both axes: keys above the columns, queries left of the rows.
      const font = Math.max(7, Math.min(12, cell - 3)) + "px";
      const keys = el("div", { class: "xlabels" }, data.tokens.map(tk => el("span", { text: label(tk) })));
      keys.style.gridTemplateColumns = `repeat(${t}, ${cell}px)`;
      keys.style.fontSize = font;
      const queries = el("div", { class: "ylabels" }, data.tokens.map(tk => el("span", { text: label(tk) })));
      queries.style.gridTemplateRows = `repeat(${t}, ${cell}px)`;
      queries.style.fontSize = font;
      // The title is a button, so a map can be reached with Tab and chosen with Enter or Space (the
      // weights are then the attends table's text); its click is the map's, below.
      const chosen = l === sel.layer && h === sel.head;
      const title = el("button", { type: "button", class: "map-title", "aria-pressed": chosen ? "true" : "false" }, `layer ${l}, head ${h}`);
      return el("div", { class: "map" + (chosen ? " selected" : ""), "data-layer": l, "data-head": h,
        onclick: () => { sel.layer = l; sel.head = h; select(); } }, el("h4", {}, title),
        el("div", { class: "axes" }, el("span"), keys, queries, grid));
    })));
    maps.replaceChildren(...layers);
  }

  function hover(e, l, h) {
    const c = e.target.closest(".cell");
    if (!c) { tip.hidden = true; return; }
    const q = +c.dataset.q, k = +c.dataset.k;
    tip.textContent = `layer ${l} head ${h}: ${label(data.tokens[q])}@${q} → ${label(data.tokens[k])}@${k} = ${c.dataset.w}`;
    tip.hidden = false;
    tip.style.left = (e.clientX + 14) + "px";
    tip.style.top = (e.clientY + 14) + "px";
  }

  function select() {
    // Marked on the maps there are, as markToken does for the same reason: the focus stays on the chosen map's title.
    for (const m of maps.querySelectorAll(".map")) {
      const chosen = +m.dataset.layer === sel.layer && +m.dataset.head === sel.head;
      m.classList.toggle("selected", chosen);
      m.querySelector(".map-title").setAttribute("aria-pressed", chosen ? "true" : "false");
    }
    const li = data.layers.indexOf(sel.layer), hi = data.heads.indexOf(sel.head);
    const row = data.weights[li][hi][sel.token];
    const order = row.map((v, k) => [k, v]).filter(([k]) => k <= sel.token).sort((a, b) => b[1] - a[1]);
    attends.replaceChildren(el("p", { class: "muted", text: `${label(data.tokens[sel.token])}@${sel.token} in layer ${sel.layer}, head ${sel.head}:` }),
      el("table", { class: "grid small", id: "attends-table" }, el("tr", {}, el("th", { text: "key" }), el("th", { text: "token" }), el("th", { text: "weight" })),
        order.map(([k, v]) => el("tr", {}, el("td", { class: "num", text: k }), el("td", { class: "mono", text: label(data.tokens[k]) }),
          el("td", { class: "num", text: v.toFixed(6) })))));
    loadExplain();
  }

  async function loadExplain() {
    const g = generation, mine = ++latest.explain;
    const q = `prompt=${enc(prompt.value)}&token=${sel.token}&layer=${sel.layer}&head=${sel.head}`;
    let e;
    try { e = await api(`/api/runs/${enc(name)}/explain?${q}`); } catch (err) { if (g === generation && mine === latest.explain) showError(explain, err); return; }
    if (g !== generation || mine !== latest.explain) return;
    explain.replaceChildren(renderExplain(e));
  }

  sampleBtn.addEventListener("click", () => {
    if (sampleSource) sampleSource.close();
    if (!prompt.value) { status.textContent = "Type a prompt first."; return; }
    out.replaceChildren();
    const url = `/api/runs/${enc(name)}/sample?prompt=${enc(prompt.value)}&max_new_tokens=${enc(maxNew.value)}&temperature=${enc(temp.value)}`;
    const src = new EventSource(url);
    sampleSource = src;
    sampleBtn.disabled = true;
    const finish = () => { src.close(); if (sampleSource === src) sampleSource = null; sampleBtn.disabled = false; };
    src.addEventListener("prompt", e => out.append(el("span", { class: "prompt", text: JSON.parse(e.data).text })));
    src.addEventListener("token", e => out.append(JSON.parse(e.data).text));
    src.addEventListener("done", e => { out.append(JSON.parse(e.data).text); out.dataset.done = "1"; finish(); });
    src.addEventListener("error", e => {
      // An error event with data is the server's own; one without is the connection failing before
      // "done" (a stopped server), which would otherwise leave the sample cut short without a word.
      const why = e.data ? JSON.parse(e.data).error : "the sample stopped before its end: the dashboard server does not answer";
      out.append(el("span", { class: "error", text: "\n" + why }));
      finish();
    });
  });

  if (prompt.value) show();
}

function vec(v) {
  return "[" + v.map(x => x.toFixed(3)).join(" ") + " …]";
}

// The explain walk-through as tables (the same content `vecgrad explain --json` prints).
function renderExplain(e) {
  const a = e.attention;
  const frag = el("div", { id: "explain-tables" });
  frag.append(el("h3", { text: "1–2. Tokens and embeddings (first numbers of " + e.embedding_size + ")" }),
    el("table", { class: "grid small" }, el("tr", {}, ["pos", "token", "id", "token emb", "position emb", "sum"].map(h => el("th", { text: h }))),
      e.tokens.map(t => el("tr", {}, el("td", { class: "num", text: t.position }), el("td", { class: "mono", text: label(t.piece) }),
        el("td", { class: "num", text: t.id }), el("td", { class: "mono", text: vec(t.token_embedding) }),
        el("td", { class: "mono", text: vec(t.position_embedding) }), el("td", { class: "mono", text: vec(t.sum) })))),
    el("h3", { text: `3. Layer ${a.layer}, head ${a.head}: query ${label(a.query_piece)}@${a.query_position} against each key (scale ${a.scale})` }),
    el("table", { class: "grid small", id: "explain-keys" }, el("tr", {}, ["key", "token", "q·k", "scaled", "softmax"].map(h => el("th", { text: h }))),
      a.keys.map(k => el("tr", {}, el("td", { class: "num", text: k.key_position }), el("td", { class: "mono", text: label(k.key_piece) }),
        el("td", { class: "num", text: k.score.toFixed(4) }), el("td", { class: "num", text: k.scaled.toFixed(4) }),
        el("td", { class: "num", text: k.weight.toFixed(4) })))),
    el("p", { class: "muted", text: `${a.masked_positions} later positions are masked. Head output: ${vec(a.head_output)}. ${a.heads_combined}.` }),
    el("h3", { text: "4–5. Residual stream and output" }),
    // The residual is taken in the block of the attention shown (Explainer reads both at its `layer`).
    el("table", { class: "grid small", id: "explain-residual" },
      el("tr", {}, el("td", { text: `after block ${a.layer}'s attention` }), el("td", { class: "mono", text: vec(e.residual_after_attention) })),
      el("tr", {}, el("td", { text: `block ${a.layer}'s MLP` }), el("td", { text: e.mlp })),
      el("tr", {}, el("td", { text: `after block ${a.layer}` }), el("td", { class: "mono", text: vec(e.residual_after_block) })),
      el("tr", {}, el("td", { text: "final LayerNorm (after the last block)" }), el("td", { class: "mono", text: vec(e.final_layernorm) }))),
    el("h3", { text: "Most likely next tokens" }),
    el("table", { class: "grid small", id: "explain-next" }, e.next_token.map(p => el("tr", {}, el("td", { class: "mono", text: label(p.piece) }),
      el("td", { class: "num", text: (100 * p.probability).toFixed(2) + "%" })))));
  return frag;
}

window.addEventListener("hashchange", route);
route();
