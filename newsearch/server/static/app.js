// The search page. Every text from the index goes in through textContent or text
// nodes, never as HTML; highlights are built from the API's offsets.
"use strict";

const PAGE_SIZE = 10;
const $ = (id) => document.getElementById(id);

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

// The API's offsets count Unicode code points (Python strings); JavaScript strings count
// UTF-16 units, so text with characters outside the BMP is sliced by code point.
function marked(text, spans) {
  const chars = /[\uD800-\uDFFF]/.test(text) ? Array.from(text) : text;
  const slice = (a, b) => (typeof chars === "string" ? chars.slice(a, b) : chars.slice(a, b).join(""));
  const out = document.createDocumentFragment();
  let last = 0;
  for (const [start, end] of spans) {
    if (start < last) continue;
    out.append(slice(last, start), el("mark", { textContent: slice(start, end) }));
    last = end;
  }
  out.append(slice(last, chars.length));
  return out;
}

function day(iso) {
  return iso ? iso.slice(0, 10) : "undated";
}

function articleHref(id, paragraph) {
  return "/article/" + encodeURIComponent(id) + (paragraph ? "#p" + paragraph : "");
}

async function getJSON(url) {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  let body;
  try {
    body = await response.json();
  } catch (e) {
    body = { message: "the server answered " + response.status + " without JSON" };
  }
  if (!response.ok) throw body;
  return body;
}

function showError(problem) {
  const box = $("error");
  box.replaceChildren(el("strong", { textContent: problem.message || String(problem) }));
  if (typeof problem.position === "number" && problem.query) {
    const caret = " ".repeat(problem.position) + "^";
    box.append(el("pre", { textContent: problem.query + "\n" + caret }));
  }
  box.hidden = false;
}

function clearViews() {
  $("error").hidden = true;
  $("results").replaceChildren();
  $("pager").hidden = true;
  $("article").hidden = true;
  $("timeline").hidden = true;
  $("status").textContent = "";
}

// -- searching ----------------------------------------------------------------------

function stateFromAddress() {
  const params = new URLSearchParams(location.search);
  return {
    q: params.get("q") || "",
    since: params.get("since") || "",
    until: params.get("until") || "",
    sort: params.get("sort") || "relevance",
    page: Math.max(1, parseInt(params.get("page") || "1", 10) || 1),
  };
}

function addressFor(state) {
  const params = new URLSearchParams();
  for (const key of ["q", "since", "until"]) if (state[key]) params.set(key, state[key]);
  if (state.sort !== "relevance") params.set("sort", state.sort);
  if (state.page > 1) params.set("page", String(state.page));
  return "/?" + params.toString();
}

function fillForm(state) {
  $("q").value = state.q;
  $("since").value = state.since;
  $("until").value = state.until;
  $("sort").value = state.sort;
}

function groupByArticle(hits) {
  const groups = new Map();
  for (const hit of hits) {
    if (!groups.has(hit.article_id)) groups.set(hit.article_id, []);
    groups.get(hit.article_id).push(hit);
  }
  return [...groups.values()];
}

function renderHit(hit) {
  const where = el("a", {
    className: "where",
    href: articleHref(hit.article_id, hit.paragraph),
    textContent: "¶" + hit.paragraph + (hit.role === "body" ? "" : " " + hit.role),
    title: "paragraph " + hit.paragraph + " (" + hit.role + ") in the whole article",
  });
  return el("p", { className: "hit" }, where, " ", marked(hit.snippet.text, hit.snippet.highlights));
}

function renderResults(data, state) {
  const list = $("results");
  for (const hits of groupByArticle(data.hits)) {
    const first = hits[0];
    const meta = [day(first.date), first.source, first.author, first.article_id].filter(Boolean);
    list.append(
      el(
        "li",
        { className: "result" },
        el("h2", {}, el("a", { href: articleHref(first.article_id, first.paragraph), textContent: first.title })),
        el("p", { className: "meta", textContent: meta.join(" · ") }),
        ...hits.map(renderHit),
      ),
    );
  }
  const from = data.offset + 1;
  const to = data.offset + data.hits.length;
  const noun = data.total === 1 ? "hit" : "hits";
  $("status").textContent = data.total === 0
    ? "No hits."
    : data.hits.length === 0
      ? data.total + " " + noun + "; none on this page."
      : data.total + " " + noun + " (showing " + from + "–" + to + ")";
  const pages = Math.ceil(data.total / PAGE_SIZE);
  $("pager").hidden = pages <= 1;
  $("page").textContent = "page " + state.page + " of " + pages;
  $("prev").disabled = state.page <= 1;
  $("next").disabled = state.page >= pages;
}

async function renderTimeline(state) {
  // Drawn only when the server has a timeline endpoint (see the API's OpenAPI document).
  if (!(await hasEndpoint("/api/timeline"))) return;
  const fetchTimeline = (interval) => {
    const params = new URLSearchParams({ q: state.q, interval });
    if (state.since) params.set("since", state.since);
    if (state.until) params.set("until", state.until);
    return getJSON("/api/timeline?" + params);
  };
  try {
    // Months suit most archives; a few weeks of news read better by day, decades by year.
    let data = await fetchTimeline("month");
    const count = data.series[0].buckets.length;
    if (count < 4) data = await fetchTimeline("day");
    else if (count > 120) data = await fetchTimeline("year");
    drawTimeline(data);
  } catch (e) {
    // The results already show any error with the query.
  }
}

let endpoints = null;
async function hasEndpoint(path) {
  if (endpoints === null) {
    try {
      endpoints = Object.keys((await getJSON("/api/openapi.json")).paths || {});
    } catch (e) {
      endpoints = [];
    }
  }
  return endpoints.includes(path);
}

function svgNode(tag, attributes) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function drawTimeline(data) {
  const series = data.series[0];
  const buckets = series.buckets;
  if (buckets.length < 2) return;
  const width = 600, height = 80, bottom = 14;
  const most = Math.max(1, ...buckets.map((b) => b.matching));
  const step = width / buckets.length;
  const svg = svgNode("svg", {
    viewBox: "0 0 " + width + " " + height,
    role: "img",
    "aria-label": "matching " + data.unit + " per " + data.interval + ", " + buckets[0].start + " to " + buckets[buckets.length - 1].start,
  });
  buckets.forEach((bucket, i) => {
    const h = ((height - bottom) * bucket.matching) / most;
    const bar = svgNode("rect", { x: i * step + 1, y: height - bottom - h, width: Math.max(1, step - 2), height: h });
    const tip = svgNode("title", {});
    tip.textContent = bucket.start + ": " + bucket.matching + " of " + bucket.total + " " + data.unit;
    bar.append(tip);
    svg.append(bar);
  });
  for (const [i, anchor] of [[0, "start"], [buckets.length - 1, "end"]]) {
    const label = svgNode("text", { x: anchor === "start" ? 0 : width, y: height - 2, "text-anchor": anchor });
    label.textContent = buckets[i].start;
    svg.append(label);
  }
  $("timeline").replaceChildren(svg);
  $("timeline").hidden = false;
}

// body[data-state] is "loading" while an answer is awaited, then "done" (for tests and
// for styles).
async function busy(work) {
  document.body.dataset.state = "loading";
  try {
    await work();
  } finally {
    document.body.dataset.state = "done";
  }
}

function runSearch(state) {
  return busy(() => searchAndShow(state));
}

async function searchAndShow(state) {
  clearViews();
  fillForm(state);
  document.title = state.q ? state.q + " — newsearch" : "newsearch";
  if (!state.q.trim() && !state.since && !state.until) return;
  sessionStorage.setItem("lastSearch", location.pathname + location.search);
  const params = new URLSearchParams({
    q: state.q,
    limit: String(PAGE_SIZE),
    offset: String((state.page - 1) * PAGE_SIZE),
    sort: state.sort,
  });
  if (state.since) params.set("since", state.since);
  if (state.until) params.set("until", state.until);
  $("status").textContent = "Searching…";
  try {
    const data = await getJSON("/api/search?" + params);
    renderResults(data, state);
    await renderTimeline(state);
  } catch (problem) {
    $("status").textContent = "";
    showError(problem);
  }
}

function go(state) {
  history.pushState(null, "", addressFor(state));
  window.scrollTo(0, 0);
  runSearch(state);
}

// -- one article ----------------------------------------------------------------------

function showArticle(id) {
  return busy(() => articleAndShow(id));
}

async function articleAndShow(id) {
  clearViews();
  const view = $("article");
  try {
    const data = await getJSON("/api/articles/" + encodeURIComponent(id));
    const meta = [day(data.date), data.source, data.author, data.section, data.article_id];
    const paragraphs = data.paragraphs.map((p) =>
      el(
        "p",
        { id: "p" + p.paragraph, tabIndex: -1 },
        el("span", { className: "where", textContent: "¶" + p.paragraph }),
        p.role === "body" ? null : el("span", { className: "role", textContent: p.role + " " }),
        p.text,
      ),
    );
    const back = sessionStorage.getItem("lastSearch") || "/";
    view.replaceChildren(
      el("a", { className: "back", href: back, textContent: "← Back to the results" }),
      el("h1", { textContent: data.title }),
      el("p", { className: "meta", textContent: meta.filter(Boolean).join(" · ") }),
      data.url ? el("p", { className: "meta", textContent: data.url }) : null,
      ...paragraphs,
    );
    view.hidden = false;
    document.title = data.title + " — newsearch";
    const target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (target) {
      target.scrollIntoView({ block: "center" });
      target.focus({ preventScroll: true });
    }
  } catch (problem) {
    showError(problem);
  }
}

// -- wiring ----------------------------------------------------------------------------

function route() {
  if (location.pathname.startsWith("/article/")) {
    showArticle(decodeURIComponent(location.pathname.slice("/article/".length)));
  } else {
    runSearch(stateFromAddress());
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("search").addEventListener("submit", (event) => {
    event.preventDefault();
    const state = { q: $("q").value, since: $("since").value, until: $("until").value, sort: $("sort").value, page: 1 };
    if (location.pathname !== "/") {
      location.assign(addressFor(state));
      return;
    }
    go(state);
  });
  $("sort").addEventListener("change", () => $("search").requestSubmit());
  $("prev").addEventListener("click", () => go({ ...stateFromAddress(), page: stateFromAddress().page - 1 }));
  $("next").addEventListener("click", () => go({ ...stateFromAddress(), page: stateFromAddress().page + 1 }));
  document.addEventListener("keydown", (event) => {
    const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
    if (event.key === "/" && !typing) {
      event.preventDefault();
      $("q").focus();
    }
  });
  window.addEventListener("popstate", route);
  route();
});
