/* defense-kg page script: reads the JSON data blocks written by the pyvis template and draws
   them with vis-network. Every string from the data is put into the page with textContent (or
   as a property of an element we create), never innerHTML. */
(function () {
  "use strict";
  function readJson(id) { return JSON.parse(document.getElementById(id).textContent); }
  var page = readJson("kg-page");
  var records = readJson("kg-nodes");
  var edgeRecords = readJson("kg-edges");
  var options = readJson("kg-options");
  var byId = {}, styles = {}, adjacency = {}, parties = {}, isEvent = {};
  page.events.forEach(function (t) { isEvent[t] = true; });
  page.types.forEach(function (t) { styles[t.name] = t; });
  records.forEach(function (n) { byId[n.id] = n; adjacency[n.id] = []; });
  edgeRecords.forEach(function (e) {
    adjacency[e.from].push({ edge: e, other: e.to, out: true });
    if (e.to !== e.from) { adjacency[e.to].push({ edge: e, other: e.from, out: false }); }
    if (e.key === "party" && isEvent[byId[e.from].kind]) {
      (parties[e.from] = parties[e.from] || {})[e.to] = true;
    }
  });
  var events = records.filter(function (n) { return isEvent[n.kind]; });
  var WEB = /^https?:\/\/[^\s]+$/i;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }
  function month(index) {
    var y = Math.floor(index / 12), m = index - 12 * y + 1;
    return y + "-" + (m < 10 ? "0" : "") + m;
  }

  // --- header -------------------------------------------------------------------------
  var summary = records.length + " nodes, " + edgeRecords.length + " edges";
  if (page.leftOut.count) {
    summary += " — the " + records.length + " highest-degree of " + page.total + " nodes";
  }
  summary += page.directed ? " (arrows show each property's direction)" : " (undirected)";
  if (page.hidden.length) { summary += "; first shown: states and events (tick a class for more)"; }
  document.getElementById("kg-summary").textContent = summary;
  if (page.leftOut.count) {
    var left = document.getElementById("kg-leftout");
    left.hidden = false;
    left.textContent = "Left out: " + page.leftOut.count + " nodes (" +
      page.leftOut.byType.map(function (p) { return p[1] + " " + p[0]; }).join(", ") + ").";
    var details = document.getElementById("kg-leftout-list");
    details.hidden = false;
    var list = details.querySelector("ul");
    page.leftOut.labels.forEach(function (label) { list.appendChild(el("li", label)); });
    if (page.leftOut.count > page.leftOut.labels.length) {
      list.appendChild(el("li", "… and " + (page.leftOut.count - page.leftOut.labels.length) + " more"));
    }
  }

  // --- filters ------------------------------------------------------------------------
  var hidden = {};
  page.hidden.forEach(function (t) { hidden[t] = true; });
  var fromInput = document.getElementById("kg-from"), toInput = document.getElementById("kg-to");
  var undatedBox = document.getElementById("kg-undated");
  var stateA = document.getElementById("kg-state-a"), stateB = document.getElementById("kg-state-b");
  var neighboursBox = document.getElementById("kg-neighbours");
  var focus = null;
  var visible = {};
  var undatedCount = events.filter(function (n) { return !n.span; }).length;
  if (page.months || undatedCount) {
    document.getElementById("kg-time").hidden = false;
    var low = page.months ? page.months[0] : 0, high = page.months ? page.months[1] : 0;
    [fromInput, toInput].forEach(function (input) {
      input.min = String(low); input.max = String(high); input.disabled = !page.months;
    });
    fromInput.value = String(low); toInput.value = String(high);
    document.getElementById("kg-undated-count").textContent = String(undatedCount);
  }
  if (page.states.length > 1) {
    document.getElementById("kg-states").hidden = false;
    page.states.forEach(function (s) {
      [stateA, stateB].forEach(function (select) {
        var option = el("option", s[0]);
        option.value = s[1];
        select.appendChild(option);
      });
    });
  }
  function timeLabels() {
    document.getElementById("kg-from-label").textContent = page.months ? month(+fromInput.value) : "–";
    document.getElementById("kg-to-label").textContent = page.months ? month(+toInput.value) : "–";
  }
  timeLabels();
  function range() {
    var a = +fromInput.value, b = +toInput.value;
    return a <= b ? [a, b] : [b, a];
  }
  function scoped() {
    var r = range();
    return !!(page.months && (r[0] > page.months[0] || r[1] < page.months[1])) ||
      !undatedBox.checked || !!stateA.value || !!stateB.value;
  }
  function eventPasses(n) {
    if (n.span) {
      var r = range();
      if (n.span[0] > r[1] || n.span[1] < r[0]) { return false; }
    } else if (!undatedBox.checked) {
      return false;
    }
    var p = parties[n.id] || {};
    return (!stateA.value || p[stateA.value]) && (!stateB.value || p[stateB.value]);
  }
  function computeVisible() {
    var out = {};
    if (focus && neighboursBox.checked) {
      out[focus] = true;
      adjacency[focus].forEach(function (link) { out[link.other] = true; });
      return out;
    }
    if (!scoped()) {
      records.forEach(function (n) { out[n.id] = true; });
    } else if (events.length) {
      events.forEach(function (n) {
        if (!eventPasses(n)) { return; }
        out[n.id] = true;
        adjacency[n.id].forEach(function (link) {
          var other = byId[link.other];
          if (!isEvent[other.kind] || eventPasses(other)) { out[other.id] = true; }
        });
      });
    } else {
      [stateA.value, stateB.value].forEach(function (id) { if (id) { out[id] = true; } });
      if (stateA.value && !stateB.value) {
        adjacency[stateA.value].forEach(function (link) { out[link.other] = true; });
      }
    }
    records.forEach(function (n) { if (hidden[n.kind]) { delete out[n.id]; } });
    return out;
  }

  // --- data sets ----------------------------------------------------------------------
  var nodes = new vis.DataSet(records);
  var edges = new vis.DataSet(edgeRecords);
  visible = computeVisible();
  var nodeView = new vis.DataView(nodes, { filter: function (n) { return !!visible[n.id]; } });
  var edgeView = new vis.DataView(edges, {
    filter: function (e) { return !!(visible[e.from] && visible[e.to]); }
  });
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, options);
  var state = { network: network, nodes: nodes, edges: edges, nodeView: nodeView,
                edgeView: edgeView, page: page, ready: false };
  window.kg = state;
  var shown = document.getElementById("kg-visible");
  function showCounts() {
    shown.textContent = "showing " + nodeView.length + " of " + records.length + " nodes, " +
      edgeView.length + " of " + edgeRecords.length + " edges";
  }
  function refresh() {
    visible = computeVisible();
    nodeView.refresh();
    edgeView.refresh();
    showCounts();
    network.fit({ animation: false });
  }
  state.refresh = refresh;
  showCounts();
  network.fit({ animation: false });
  network.once("afterDrawing", function () {
    state.ready = true;
    state.readyAt = performance.now();
    document.body.setAttribute("data-ready", "1");
  });
  network.redraw();

  [fromInput, toInput].forEach(function (input) {
    input.addEventListener("input", function () { timeLabels(); refresh(); });
  });
  [undatedBox, stateA, stateB, neighboursBox].forEach(function (input) {
    input.addEventListener("change", refresh);
  });
  function resetScope() {
    if (page.months) { fromInput.value = String(page.months[0]); toInput.value = String(page.months[1]); }
    undatedBox.checked = true;
    stateA.value = ""; stateB.value = "";
    neighboursBox.checked = false;
    timeLabels();
  }
  document.getElementById("kg-reset").addEventListener("click", function () {
    resetScope();
    Object.keys(hidden).forEach(function (t) { hidden[t] = false; });
    legend.querySelectorAll("input").forEach(function (box) { box.checked = true; });
    refresh();
  });

  // --- legend and class filters -------------------------------------------------------
  var legend = document.getElementById("kg-legend");
  page.types.forEach(function (t) {
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = !hidden[t.name];
    box.setAttribute("data-type", t.name);
    box.addEventListener("change", function () {
      hidden[t.name] = !box.checked;
      refresh();
    });
    var glyph = el("span", t.glyph, "kg-glyph");
    glyph.style.color = t.color;
    label.appendChild(box);
    label.appendChild(glyph);
    label.appendChild(el("span", t.name));
    label.appendChild(el("span", t.count, "kg-count"));
    legend.appendChild(label);
  });

  // --- side panel ---------------------------------------------------------------------
  var panel = document.getElementById("kg-panel");
  var body = document.getElementById("kg-panel-body");
  function sourceLine(parent, article) {
    if (!article) { return; }
    var meta = page.articles[article] || {};
    var line = el("p", null, "kg-source");
    var bits = [meta.title || article];
    if (meta.publisher) { bits.push(meta.publisher); }
    if (meta.published) { bits.push(meta.published); }
    line.appendChild(el("span", bits.join(" · ")));
    if (meta.url && WEB.test(meta.url)) {
      line.appendChild(el("span", " · "));
      var link = el("a", "source");
      link.href = meta.url;
      link.rel = "noopener noreferrer";
      line.appendChild(link);
    } else if (meta.source) {
      line.appendChild(el("span", " · source: " + meta.source));
    }
    parent.appendChild(line);
  }
  function evidenceItem(ev) {
    var li = el("li");
    var quote = el("blockquote");
    if (ev[1]) { quote.appendChild(document.createTextNode(ev[1])); }
    quote.appendChild(el("mark", ev[2]));
    if (ev[3]) { quote.appendChild(document.createTextNode(ev[3])); }
    li.appendChild(quote);
    sourceLine(li, ev[0]);
    return li;
  }
  function showPanel(id) {
    var n = byId[id];
    if (!n) { return; }
    focus = id;
    neighboursBox.disabled = false;
    while (body.firstChild) { body.removeChild(body.firstChild); }
    body.appendChild(el("h2", n.full));
    var badge = el("span", n.kind, "kg-badge");
    badge.style.background = (styles[n.kind] || { color: "#999" }).color;
    body.appendChild(badge);
    var dl = el("dl");
    n.info.forEach(function (pair) { dl.appendChild(el("dt", pair[0])); dl.appendChild(el("dd", pair[1])); });
    body.appendChild(dl);
    if (n.ev.length) {
      body.appendChild(el("h3", "Evidence (" + n.evCount + ")"));
      var evList = el("ul", null, "kg-evidence");
      n.ev.forEach(function (ev) { evList.appendChild(evidenceItem(ev)); });
      if (n.evCount > n.ev.length) { evList.appendChild(el("li", "… and " + (n.evCount - n.ev.length) + " more")); }
      body.appendChild(evList);
    }
    var links = adjacency[id];
    body.appendChild(el("h3", "Facts (" + links.length + ")"));
    var facts = el("ul", null, "kg-facts");
    links.forEach(function (link) {
      var li = el("li");
      var line = el("div");
      var other = byId[link.other];
      if (page.directed) {
        line.appendChild(el("span", link.out ? n.label + " — " + link.edge.name + " → " : ""));
      } else {
        line.appendChild(el("span", link.edge.name + " with "));
      }
      var go = el("button", other.full, "kg-link");
      go.type = "button";
      go.addEventListener("click", function () { select(other.id); });
      line.appendChild(go);
      if (page.directed && !link.out) {
        line.appendChild(el("span", " — " + link.edge.name + " → " + n.label));
      }
      li.appendChild(line);
      if (link.edge.q) { li.appendChild(el("blockquote", link.edge.q)); }
      sourceLine(li, link.edge.a);
      facts.appendChild(li);
    });
    body.appendChild(facts);
    panel.hidden = false;
    if (neighboursBox.checked) { refresh(); }
  }
  function select(id) {
    var n = byId[id];
    if (!visible[id]) {
      if (hidden[n.kind]) {
        hidden[n.kind] = false;
        legend.querySelector('input[data-type="' + CSS.escape(n.kind) + '"]').checked = true;
      }
      visible = computeVisible();
      if (!visible[id]) { resetScope(); }
      refresh();
    }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
    showPanel(id);
  }
  state.select = select;
  document.getElementById("kg-panel-close").addEventListener("click", function () {
    panel.hidden = true;
    network.unselectAll();
  });
  network.on("click", function (params) {
    if (params.nodes.length) { showPanel(params.nodes[0]); }
  });

  // --- search -------------------------------------------------------------------------
  var search = document.getElementById("kg-search");
  var status = document.getElementById("kg-search-status");
  var names = document.getElementById("kg-names");
  var seen = {};
  records.map(function (n) { return n.full; }).sort().forEach(function (name) {
    if (seen[name]) { return; }
    seen[name] = true;
    var option = el("option");
    option.value = name;
    names.appendChild(option);
  });
  var matches = [];
  var position = 0;
  var lastQuery = null;
  function rank(n, q) {
    // 0 the name itself, 1 an alias, 2 a name starting with the query, 3 containing it
    var best = 4;
    n.names.forEach(function (name, i) {
      var lower = name.toLowerCase();
      var r = lower === q ? (i === 0 ? 0 : 1) : lower.indexOf(q) === 0 ? 2 : lower.indexOf(q) >= 0 ? 3 : 4;
      best = Math.min(best, r);
    });
    return best;
  }
  function find(query) {
    var q = query.trim().toLowerCase();
    if (!q) { return []; }
    var found = [];
    records.forEach(function (n) {
      var r = rank(n, q);
      if (r < 4) { found.push([r, n]); }
    });
    found.sort(function (a, b) {
      return a[0] - b[0] || (a[1].full < b[1].full ? -1 : a[1].full > b[1].full ? 1 : 0) ||
        (a[1].id < b[1].id ? -1 : 1);
    });
    return found.map(function (pair) { return pair[1]; });
  }
  state.find = function (query) { return find(query).map(function (n) { return n.id; }); };
  function run() {
    if (search.value === lastQuery && matches.length) {
      position = (position + 1) % matches.length;
    } else {
      lastQuery = search.value;
      matches = find(search.value);
      position = 0;
    }
    if (!matches.length) {
      status.textContent = search.value.trim() ? "no node matches" : "";
      return;
    }
    var n = matches[position];
    status.textContent = (position + 1) + " of " + matches.length + ": " + n.full;
    select(n.id);
  }
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); run(); }
  });
  search.addEventListener("input", function () {
    if (seen[search.value] && search.value !== lastQuery) { run(); }
  });

  // --- export what is visible ---------------------------------------------------------
  function visibleRows() {
    var shownNodes = nodeView.get().map(function (n) {
      return { id: n.id, label: n.full, type: n.kind, date: n.date || "" };
    });
    var shownEdges = edgeView.get().map(function (e) {
      return { id: e.id, from: e.from, to: e.to, label: e.name };
    });
    return { view: page.view, nodes: shownNodes, edges: shownEdges };
  }
  function cell(value, text) {
    var s = String(value === undefined || value === null ? "" : value);
    // a text cell a spreadsheet would read as a formula gets a leading apostrophe
    if (text && /^[=+\-@\t\r]/.test(s)) { s = "'" + s; }
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function toCsv(rows) {
    var lines = ["kind,id,label,type,date,from,to"];
    rows.nodes.forEach(function (n) {
      lines.push(["node", cell(n.id), cell(n.label, true), cell(n.type), cell(n.date), "", ""].join(","));
    });
    rows.edges.forEach(function (e) {
      lines.push(["edge", cell(e.id), cell(e.label, true), "", "", cell(e.from), cell(e.to)].join(","));
    });
    return lines.join("\n") + "\n";
  }
  state.toCsv = function () { return toCsv(visibleRows()); };
  function download(text, type, extension) {
    var name = "defense-kg-" + (page.view || "view").replace(/[^A-Za-z0-9_-]+/g, "-") + "-visible." + extension;
    var link = document.createElement("a");
    link.download = name;
    link.href = URL.createObjectURL(new Blob([text], { type: type }));
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }
  document.getElementById("kg-csv").addEventListener("click", function () {
    download(toCsv(visibleRows()), "text/csv;charset=utf-8", "csv");
  });
  document.getElementById("kg-json").addEventListener("click", function () {
    download(JSON.stringify(visibleRows(), null, 1) + "\n", "application/json", "json");
  });
})();
