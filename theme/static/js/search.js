// The search page, on Pagefind's JS API (pagefind/pagefind.js, built by `make html`; its extended
// build segments Chinese). Nothing is loaded from another site; the query never leaves the page.
//
// Two searches per query, merged:
// 1. the query as an exact phrase, these pages first, the records before the lists. A query in
//    Chinese is any part of an enterprise's name, searched as a phrase of single characters: every
//    record and list page repeats its enterprises' names a character a word (ssjpub.site.pages.facets,
//    the search_facets macro), so a fragment matches whatever the segmenters (the index's and the
//    browser's Intl.Segmenter) make of it. Any other query (a credit code) as typed. Exact matches
//    come first also because each index scores its pages against its own pages only: a partial
//    match in one agency's index can outscore the exact one in another's.
// 2. the query as typed, over every page (Pagefind lower-cases).
// The reader narrows both by agency, kind of page and year (Pagefind filters, same module).
//
// Each agency's pages are in a few indexes of a bounded size (<agency>/pagefind/1/, 2/, …, listed
// in data-bundles with the folder their result URLs are relative to), merged into the one of the
// pages outside every agency (pagefind/, whose pagefind.js runs the search): Pagefind's multisite
// search (ssjpub.site.search_index).
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  var form = box.querySelector("form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var selects = Array.prototype.slice.call(box.querySelectorAll("select[data-filter]"));
  var RECORD = "企业档案";
  var PAGE = 20;
  var results = [];  // of the latest query, in the order shown
  var shown = [];
  var serial = 0;

  function say(text) { status.textContent = text; }

  var base = new URL(box.getAttribute("data-pagefind"), document.baseURI).href;
  var bundles = JSON.parse(box.getAttribute("data-bundles") || "[]");
  var missing = document.getElementById("search-missing");
  import(base + "pagefind.js").then(start, function () {
    say("搜索索引尚未生成（请运行 make html），或本页是从磁盘打开的：搜索需要通过网址（http）访问本站。");
  });

  // Merge the agencies' indexes. Pagefind keeps a merged index that failed to load, and every
  // search over it would fail too: start again without the ones that failed, and say which.
  function mergeAll(pagefind, wanted, failed) {
    // Result URLs relative to each index's own site (the site's root, an agency's folder).
    return pagefind.options({ baseUrl: new URL("..", base).pathname }).then(function () {
      var root = new URL("..", base);
      return Promise.all(wanted.map(function (b) {
        return pagefind.mergeIndex(new URL(b.url, root).href, { baseUrl: new URL(b.base, root).pathname }).then(
          function () { return null; }, function () { return b; });
      }));
    }).then(function (outcome) {
      var bad = outcome.filter(Boolean);
      if (!bad.length) return failed;
      var good = wanted.filter(function (b) { return bad.indexOf(b) < 0; });
      return pagefind.destroy().then(function () { return mergeAll(pagefind, good, failed.concat(bad)); });
    });
  }

  // Each agency once, with how many of its indexes failed when it has several.
  function named(failed) {
    var order = [], count = {}, all = {};
    bundles.forEach(function (b) { all[b.name] = (all[b.name] || 0) + 1; });
    failed.forEach(function (b) {
      if (!(b.name in count)) { order.push(b.name); count[b.name] = 0; }
      count[b.name]++;
    });
    return order.map(function (n) {
      return all[n] > 1 ? n + "（" + all[n] + " 个索引中的 " + count[n] + " 个）" : n;
    }).join("、");
  }

  function start(pagefind) {
    mergeAll(pagefind, bundles, []).then(function (failed) {
      if (failed.length) {
        missing.textContent = "以下机关的搜索索引未能加载，它们的页面（或其中一部分）不在搜索结果中：" +
          named(failed) + "。请稍后刷新本页重试，或从首页进入该机关的页面浏览。";
        missing.hidden = false;
      }
      return pagefind.filters();
    }).then(function (all) {
      selects.forEach(function (s) {
        var values = Object.keys(all[s.getAttribute("data-filter")] || {}).sort();
        values.forEach(function (v) {
          var o = document.createElement("option");
          o.value = v;
          o.textContent = v;
          s.appendChild(o);
        });
      });
      form.hidden = false;
      var q = new URLSearchParams(window.location.search).get("q");  // a search handed over by another page's form
      if (q) { input.value = q; run(); }
      input.focus();
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    var later = debounce(run, 250);
    input.addEventListener("input", function () {
      serial++;  // what is typed makes any search still running stale, before the pause is over
      list.removeAttribute("data-query");
      later();
    });
    selects.forEach(function (s) { s.addEventListener("change", run); });
    more.addEventListener("click", function () { render(shown.length); });

    function chosen() {
      var f = {};
      selects.forEach(function (s) { if (s.value) f[s.getAttribute("data-filter")] = s.value; });
      return f;
    }

    function run() {
      var q = input.value.trim();
      var mine = ++serial;
      list.textContent = "";
      more.hidden = true;
      if (!q) { say(""); return; }
      say("正在搜索……");
      var filters = chosen();
      Promise.all([names(q, filters), pagefind.search(q, { filters: filters })]).then(function (found) {
        if (mine !== serial) return;  // a newer query is running
        results = merge(found[0], found[1] ? found[1].results : []);
        shown = [];
        list.setAttribute("data-query", q);  // which query the list answers (a query typed meanwhile replaces it)
        say(results.length ? "找到 " + results.length + " 个页面。" : "没有找到包含“" + q + "”的页面。");
        render(0);
      });
    }

    // The pages with the query as a phrase (naming an enterprise whose name contains it): records, then the rest.
    function names(q, filters) {
      var compact = q.replace(/\s+/g, "");
      var han = /\p{Script=Han}/u.test(compact);
      if (!han && /"/.test(q)) return Promise.resolve([[], []]);  // a phrase of the reader's own: full text only
      var phrase = "\"" + (han ? Array.from(compact).join(" ") : q) + "\"";
      var records = Object.assign({}, filters, { "类别": RECORD });
      var wanted = filters["类别"];
      return Promise.all([
        wanted && wanted !== RECORD ? null : pagefind.search(phrase, { filters: records }),
        pagefind.search(phrase, { filters: filters }),
      ]).then(function (found) {
        var recs = found[0] ? found[0].results : [];
        var ids = {};
        recs.forEach(function (r) { ids[r.id] = true; });
        return [recs, (found[1] ? found[1].results : []).filter(function (r) { return !ids[r.id]; })];
      });
    }

    // The name matches first (each group in the order the full-text search ranks them), then the rest.
    function merge(named, ranked) {
      var rank = {};
      ranked.forEach(function (r, i) { rank[r.id] = i; });
      var order = function (a, b) {
        var x = a.id in rank ? rank[a.id] : ranked.length, y = b.id in rank ? rank[b.id] : ranked.length;
        return x - y || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      };
      var first = named[0].slice().sort(order).concat(named[1].slice().sort(order));
      var seen = {};
      first.forEach(function (r) { seen[r.id] = true; });
      return first.concat(ranked.filter(function (r) { return !seen[r.id]; }));
    }

    function render(from) {
      var mine = serial;
      var page = results.slice(from, from + PAGE);
      Promise.all(page.map(function (r) { return r.data(); })).then(function (data) {
        if (mine !== serial) return;
        data.forEach(function (d) { list.appendChild(item(d)); shown.push(d); });
        more.hidden = shown.length >= results.length;
      });
    }
  }

  function item(d) {
    var li = document.createElement("li");
    var h = document.createElement("h2");
    var a = document.createElement("a");
    a.href = d.url;
    a.textContent = d.meta.title || d.url;
    h.appendChild(a);
    li.appendChild(h);
    var tags = [d.meta["类别"], d.meta["机关"], d.meta["年度"] ? d.meta["年度"] + " 年度" : ""].filter(Boolean);
    if (tags.length) {
      var p = document.createElement("p");
      p.className = "meta";
      p.textContent = tags.join(" · ");
      li.appendChild(p);
    }
    var text = document.createElement("p");
    if (d.meta["摘要"]) text.textContent = d.meta["摘要"];
    else excerpt(text, d.excerpt || "");
    li.appendChild(text);
    return li;
  }

  // Pagefind's excerpt is escaped text with <mark> around the hits: keep exactly that, and write
  // the names repeated a character a word (see above) as names again.
  function excerpt(into, html) {
    var t = document.createElement("template");
    t.innerHTML = html.replace(/(\p{Script=Han})((?:<\/mark>)?) (?=(?:<mark>)?\p{Script=Han})/gu, "$1$2");
    Array.prototype.forEach.call(t.content.childNodes, function (n) {
      if (n.nodeType === 1 && n.tagName === "MARK") {
        var m = document.createElement("mark");
        m.textContent = n.textContent;
        into.appendChild(m);
      } else {
        into.appendChild(document.createTextNode(n.textContent));
      }
    });
  }

  function debounce(f, ms) {
    var t = null;
    return function () { clearTimeout(t); t = setTimeout(f, ms); };
  }
})();
