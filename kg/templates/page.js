/* defense-kg page script: reads the JSON data block and draws it with vis-network.
   Every string from the data is put into the page with textContent, never innerHTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var byId = {};
  var styles = {};
  var adjacency = {};
  data.types.forEach(function (t) { styles[t.name] = t; });
  data.nodes.forEach(function (n) { byId[n.id] = n; adjacency[n.id] = []; });
  data.edges.forEach(function (e) {
    adjacency[e.from].push({ edge: e, other: e.to, out: true });
    if (e.to !== e.from) { adjacency[e.to].push({ edge: e, other: e.from, out: false }); }
  });

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }
  function articleName(id) {
    var title = data.articles[id];
    return title ? "article: " + title + " (" + id + ")" : "article: " + id;
  }

  // --- header -------------------------------------------------------------------------
  document.getElementById("kg-title").textContent = data.title;
  var summary = data.nodes.length + " nodes, " + data.edges.length + " edges";
  if (data.leftOut.count) {
    summary += " — the " + data.nodes.length + " highest-degree of " + data.total + " nodes";
  }
  summary += data.directed ? " (arrows show each property's direction)" : " (undirected)";
  document.getElementById("kg-summary").textContent = summary;
  if (data.leftOut.count) {
    var left = document.getElementById("kg-leftout");
    left.hidden = false;
    left.textContent = "Left out: " + data.leftOut.count + " nodes (" +
      data.leftOut.byType.map(function (p) { return p[1] + " " + p[0]; }).join(", ") + ").";
    var details = document.getElementById("kg-leftout-list");
    details.hidden = false;
    var list = details.querySelector("ul");
    data.leftOut.labels.forEach(function (label) { list.appendChild(el("li", label)); });
    if (data.leftOut.count > data.leftOut.labels.length) {
      list.appendChild(el("li", "… and " + (data.leftOut.count - data.leftOut.labels.length) + " more"));
    }
  }

  // --- data sets ----------------------------------------------------------------------
  var hidden = {};
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    var style = styles[n.type] || { color: "#999999", shape: "dot" };
    var item = {
      id: n.id, label: n.label, title: n.title, type: n.type, shape: style.shape,
      color: { background: style.color, border: "#333333",
               highlight: { background: style.color, border: "#000000" } },
      size: n.type === "State" ? 22 : 14
    };
    if (n.x !== undefined) { item.x = n.x; item.y = n.y; }
    return item;
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    var item = { id: e.id, from: e.from, to: e.to, title: e.title };
    if (data.physics) { item.label = e.label; }
    if (e.smooth) { item.smooth = e.smooth; }
    if (e.width) { item.width = e.width; }
    return item;
  }));
  var nodeView = new vis.DataView(nodes, { filter: function (n) { return !hidden[n.type]; } });

  var options = {
    layout: { randomSeed: data.seed, improvedLayout: false },
    physics: data.physics
      ? { enabled: true, solver: "forceAtlas2Based",
          forceAtlas2Based: { gravitationalConstant: -140, centralGravity: 0.008,
                              springLength: 150, springConstant: 0.06, avoidOverlap: 0.8 },
          stabilization: { enabled: true, iterations: 400, fit: true } }
      : { enabled: false },
    interaction: { hover: true, tooltipDelay: 120, hideEdgesOnDrag: !data.physics,
                   hideEdgesOnZoom: !data.physics },
    nodes: { font: { size: 16, face: "DejaVu Sans, Arial, sans-serif", strokeWidth: 3,
                     strokeColor: "#ffffff" }, borderWidth: 1 },
    edges: {
      arrows: { to: { enabled: data.directed, scaleFactor: 0.5 } },
      color: { color: "#8a9aa5", highlight: "#222222", hover: "#444444" },
      font: { size: 11, color: "#555555", strokeWidth: 3, strokeColor: "#ffffff", align: "middle" },
      smooth: false, width: 1
    }
  };
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, { nodes: nodeView, edges: edges }, options);
  var state = { network: network, nodes: nodes, edges: edges, nodeView: nodeView, ready: false };
  window.kg = state;

  function markReady() {
    network.once("afterDrawing", function () {
      state.ready = true;
      state.readyAt = performance.now();
      document.body.setAttribute("data-ready", "1");
    });
    network.redraw();
  }
  if (data.physics) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.fit({ animation: false });
      markReady();
    });
  } else {
    markReady();
  }

  // --- legend and class filters -------------------------------------------------------
  var legend = document.getElementById("kg-legend");
  data.types.forEach(function (t) {
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-type", t.name);
    box.addEventListener("change", function () {
      hidden[t.name] = !box.checked;
      nodeView.refresh();
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
  function quoteBlock(parent, text, article) {
    if (text) { parent.appendChild(el("blockquote", text)); }
    if (article) { parent.appendChild(el("cite", articleName(article))); }
  }
  function showPanel(id) {
    var n = byId[id];
    if (!n) { return; }
    while (body.firstChild) { body.removeChild(body.firstChild); }
    body.appendChild(el("h2", n.full));
    var badge = el("span", n.type, "kg-badge");
    badge.style.background = (styles[n.type] || { color: "#999" }).color;
    body.appendChild(badge);
    var dl = el("dl");
    n.info.forEach(function (pair) { dl.appendChild(el("dt", pair[0])); dl.appendChild(el("dd", pair[1])); });
    body.appendChild(dl);
    if (n.ev.length) {
      body.appendChild(el("h3", "Evidence (" + n.ev.length + ")"));
      var evList = el("ul", null, "kg-evidence");
      n.ev.forEach(function (q) { var li = el("li"); quoteBlock(li, q[0], q[1]); evList.appendChild(li); });
      body.appendChild(evList);
    }
    var links = adjacency[id];
    body.appendChild(el("h3", "Facts (" + links.length + ")"));
    var facts = el("ul", null, "kg-facts");
    links.forEach(function (link) {
      var li = el("li");
      var line = el("div");
      var other = byId[link.other];
      if (data.directed) {
        line.appendChild(el("span", link.out ? n.label + " — " + link.edge.label + " → " : ""));
      } else {
        line.appendChild(el("span", link.edge.label + " with "));
      }
      var go = el("button", other.full, "kg-link");
      go.type = "button";
      go.addEventListener("click", function () { select(other.id); });
      line.appendChild(go);
      if (data.directed && !link.out) {
        line.appendChild(el("span", " — " + link.edge.label + " → " + n.label));
      }
      li.appendChild(line);
      quoteBlock(li, link.edge.q, link.edge.a);
      facts.appendChild(li);
    });
    body.appendChild(facts);
    panel.hidden = false;
  }
  function select(id) {
    var n = byId[id];
    if (hidden[n.type]) {
      hidden[n.type] = false;
      legend.querySelector('input[data-type="' + CSS.escape(n.type) + '"]').checked = true;
      nodeView.refresh();
    }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
    showPanel(id);
  }
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
  data.nodes.map(function (n) { return n.full; }).sort().forEach(function (name) {
    if (seen[name]) { return; }
    seen[name] = true;
    var option = el("option");
    option.value = name;
    names.appendChild(option);
  });
  var matches = [];
  var position = 0;
  var lastQuery = null;
  function find(query) {
    var q = query.trim().toLowerCase();
    var exact = [], partial = [];
    if (!q) { return exact; }
    data.nodes.forEach(function (n) {
      var name = n.full.toLowerCase();
      if (name === q) { exact.push(n); } else if (name.indexOf(q) >= 0) { partial.push(n); }
    });
    return exact.concat(partial);
  }
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
})();
