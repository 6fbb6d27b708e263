/* Candor status banner. Add to any page: <script src="https://STATUS-PAGE/embed.js" async></script>
   Optional: data-lang="pl" (default: the visitor's browser language), data-position="top". Shows a small
   dismissible notice only while an incident or maintenance is going on; fails silently otherwise. */
(function () {
  "use strict";
  try {
    var script = document.currentScript || document.querySelector('script[src*="/embed.js"]');
    if (!script || !window.fetch || !Element.prototype.attachShadow) return;
    var base = new URL(script.src, location.href);
    var lang = script.getAttribute("data-lang") || navigator.language || "";
    var top = script.getAttribute("data-position") === "top";
    var url = base.origin + base.pathname.replace(/embed\.js$/, "embed.json") + "?lang=" + encodeURIComponent(lang);
    var host = null;
    var KEY = "candor-dismissed";
    var COLORS = { minor: "#b7791f", major: "#dd6b20", critical: "#c53030", maintenance: "#2b6cb0" };

    var dismissed = function () {
      try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
    };
    var remember = function (ids) {
      try { localStorage.setItem(KEY, JSON.stringify(ids.slice(-20))); } catch (e) { /* private mode */ }
    };
    var el = function (tag, css, text) {
      var node = document.createElement(tag);
      if (css) node.style.cssText = css;
      if (text) node.textContent = text;
      return node;
    };
    var clear = function () {
      if (host && host.parentNode) host.parentNode.removeChild(host);
      host = null;
    };

    var render = function (data) {
      var seen = dismissed();
      var items = (data.incidents || []).filter(function (i) { return seen.indexOf(i.update_id) < 0; });
      clear();
      if (!items.length) return;
      host = el("div");
      host.setAttribute("data-candor-banner", "");
      var root = host.attachShadow({ mode: "open" });
      var box = el("section", "position:fixed;" + (top ? "top" : "bottom") + ":16px;right:16px;left:auto;" +
        "max-width:360px;z-index:2147483000;background:#fff;color:#1a202c;border-radius:8px;" +
        "box-shadow:0 4px 16px rgba(0,0,0,.25);font:14px/1.4 system-ui,sans-serif;padding:12px 40px 12px 14px;" +
        "border-left:6px solid " + (COLORS[items[0].impact] || "#b7791f"));
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      box.setAttribute("lang", data.lang || "");
      box.setAttribute("dir", data.dir || "ltr");
      items.slice(0, 3).forEach(function (item) {
        var p = el("p", "margin:0 0 6px");
        p.appendChild(el("strong", "display:block", item.title));
        p.appendChild(el("span", "font-weight:600", item.status_label + (item.text ? " — " : "")));
        p.appendChild(document.createTextNode(item.text || ""));
        if (/^https?:\/\//.test(item.url)) {
          var a = el("a", "color:#2b6cb0;margin-inline-start:6px", data.labels.details);
          a.href = item.url;
          a.target = "_blank";
          a.rel = "noopener";
          p.appendChild(a);
        }
        box.appendChild(p);
      });
      var close = el("button", "position:absolute;top:6px;right:6px;border:0;background:none;font-size:20px;" +
        "line-height:1;cursor:pointer;color:#4a5568;padding:4px 8px", "\u00d7");
      close.type = "button";
      close.setAttribute("aria-label", data.labels.dismiss);
      close.addEventListener("click", function () {
        remember(seen.concat(items.map(function (i) { return i.update_id; })));
        clear();
      });
      box.appendChild(close);
      root.appendChild(box);
      document.body.appendChild(host);
    };

    var load = function () {
      var ctrl = window.AbortController ? new AbortController() : null;
      var timer = ctrl && setTimeout(function () { ctrl.abort(); }, 8000);
      fetch(url, { credentials: "omit", signal: ctrl && ctrl.signal })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && data.labels) render(data); })
        .catch(function () { /* Candor unreachable: leave the page alone */ })
        .then(function () { if (timer) clearTimeout(timer); });
    };
    var start = function () { load(); setInterval(load, 60000); };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  } catch (e) { /* never break the host page */ }
})();
