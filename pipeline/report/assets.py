"""The report's inline CSS and JavaScript (vanilla, no library: the file must work offline and stay auditable).

The script reads its data only from the ``<script type="application/json" id="report-data">`` block and writes
data into the page only through ``textContent`` and ``dataset``, never ``innerHTML``, so no string of an article
can become markup. It sorts tables, renders and filters the worklist, and highlights a disagreement's span.
"""

from __future__ import annotations

CSS = """
:root { --fg: #1d1d1f; --muted: #666; --line: #ddd; --link: #c2185b; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
  color: var(--fg); margin: 0; padding: 0 24px 48px; line-height: 1.5; font-size: 14px; background: #fafafa; }
header { padding: 18px 0 6px; border-bottom: 1px solid var(--line); margin-bottom: 12px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; } h3 { font-size: 16px; margin: 0; }
nav a { margin-right: 14px; }
.muted, .meta { color: var(--muted); font-size: 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
.chart { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 4px; max-width: 100%;
  height: auto; }
table { border-collapse: collapse; background: #fff; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 3px 7px; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.sortable th { cursor: pointer; user-select: none; background: #f0f0f0; }
table.sortable th[aria-sort="ascending"]::after { content: " ▲"; }
table.sortable th[aria-sort="descending"]::after { content: " ▼"; }
.scroll { max-height: 420px; overflow: auto; border: 1px solid var(--line); display: inline-block; max-width: 100%; }
.article { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; margin: 14px 0; }
.article-body { display: flex; gap: 18px; align-items: flex-start; }
.text { flex: 3; white-space: pre-wrap; line-height: 2.1; font-size: 15px; min-width: 0; }
.disagreements { flex: 2; font-size: 12px; max-height: 520px; overflow: auto; min-width: 0; }
.disagreements ol { padding-left: 18px; margin: 4px 0; }
.disagreements li { margin-bottom: 6px; cursor: pointer; }
.disagreements li:hover { background: #fff6d5; }
.seg.l { text-decoration: underline 2px var(--link); text-underline-offset: 4px; }
mark.e { border-radius: 3px; color: inherit; }
mark.multi { outline: 1px dashed #333; }
.ent-label { font-size: 9px; font-weight: bold; vertical-align: super; margin: 0 2px 0 1px; padding: 0 3px;
  border-radius: 3px; background: #eee; line-height: 1; }
.hl { box-shadow: 0 0 0 3px #ff9800; }
.kind { display: inline-block; font-size: 10px; padding: 0 4px; border-radius: 3px; background: #eee; }
.kind-entity_not_linked { background: #e3f2fd; } .kind-link_not_found { background: #fde2e2; }
.kind-boundary_differs { background: #fff3cd; } .kind-suspicious_link { background: #eadcf8; }
.legend span { margin-right: 10px; }
.filters { margin: 6px 0; } .filters label { margin-right: 12px; }
"""

JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);

  function sortKey(cell) {
    var v = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent;
    var n = Number(v);
    return v !== "" && !isNaN(n) ? { num: true, v: n } : { num: false, v: v };
  }
  function makeSortable(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, col) {
      th.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = sortKey(a.cells[col]), y = sortKey(b.cells[col]);
          var c = x.num && y.num ? x.v - y.v : String(x.v).localeCompare(String(y.v), "zh");
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);

  function highlight(article, start, end) {
    Array.prototype.forEach.call(document.querySelectorAll(".hl"), function (el) { el.classList.remove("hl"); });
    var root = document.getElementById("art-" + article);
    if (!root) { return; }
    Array.prototype.forEach.call(root.querySelectorAll("[data-s]"), function (el) {
      var s = Number(el.dataset.s), e = Number(el.dataset.e);
      if (s < end && e > start) { el.classList.add("hl"); }
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll(".disagreements li[data-start]"), function (li) {
    li.addEventListener("click", function () {
      highlight(li.dataset.article, Number(li.dataset.start), Number(li.dataset.end));
    });
  });

  var table = document.getElementById("worklist");
  if (table) { renderWorklist(table); }
  document.body.dataset.ready = "1";

  function renderWorklist(table) {
    var items = data.worklist, articles = data.articles;
    var selects = { kind: document.getElementById("f-kind"), type: document.getElementById("f-type"),
                    article: document.getElementById("f-article") };
    function fill(select, values, labelOf) {
      values.forEach(function (v) {
        var o = document.createElement("option");
        o.value = String(v);
        o.textContent = labelOf ? labelOf(v) : String(v);
        select.appendChild(o);
      });
    }
    function distinct(key) {
      var seen = Object.create(null), out = [];
      items.forEach(function (it) { if (!(it[key] in seen)) { seen[it[key]] = 1; out.push(it[key]); } });
      return out.sort();
    }
    fill(selects.kind, distinct("kind"));
    fill(selects.type, distinct("type"));
    fill(selects.article, distinct("a").map(Number).sort(function (a, b) { return a - b; }),
         function (i) { return articles[i].id + (articles[i].title ? " · " + articles[i].title : ""); });
    var body = table.tBodies[0];
    var columns = ["kind", "type", "surface", "target", "entity", "reason", "action"];
    items.forEach(function (it, n) {
      var tr = document.createElement("tr");
      tr.dataset.n = String(n);
      var art = document.createElement("td");
      var a = document.createElement("a");
      a.href = "#art-" + it.a;
      a.textContent = articles[it.a].id;
      a.addEventListener("click", function () { setTimeout(function () { highlight(it.a, it.start, it.end); }, 0); });
      art.appendChild(a);
      tr.appendChild(art);
      var at = document.createElement("td");
      at.className = "num";
      at.dataset.sort = String(it.start);
      at.textContent = it.start + "–" + it.end;
      tr.appendChild(at);
      columns.forEach(function (key) {
        var td = document.createElement("td");
        if (key === "kind") {
          var span = document.createElement("span");
          span.className = "kind kind-" + it.kind.replace(/[^a-z_]/g, "");
          span.textContent = it.kind;
          td.appendChild(span);
        } else {
          td.textContent = it[key] === null || it[key] === undefined ? "" : String(it[key]);
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    var shown = document.getElementById("worklist-count");
    function apply() {
      var n = 0;
      Array.prototype.forEach.call(body.rows, function (tr) {
        var it = items[Number(tr.dataset.n)];
        var ok = (!selects.kind.value || it.kind === selects.kind.value) &&
                 (!selects.type.value || it.type === selects.type.value) &&
                 (!selects.article.value || String(it.a) === selects.article.value);
        tr.hidden = !ok;
        if (ok) { n += 1; }
      });
      shown.textContent = n + " of " + items.length + " shown";
    }
    Object.keys(selects).forEach(function (k) { selects[k].addEventListener("change", apply); });
    apply();
  }
})();
"""
