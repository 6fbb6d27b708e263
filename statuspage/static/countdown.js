// Live countdowns (progressive enhancement): every <time data-countdown datetime="…"> keeps the text of
// the .countdown next to it current ("in 8 minutes", "3 minutes ago") and marks its [data-countdown-box] as past
// once the time has come. Without JavaScript the page still shows the time and the countdown at load.
(function () {
  "use strict";
  // The page's language says it (filters.relative on the server uses the same words): the phrases come
  // from the admin layout, the units from the browser's Intl ("3 godziny 59 minut").
  var source = document.querySelector("[data-countdown-in]");
  var phrase = {
    "in": source ? source.getAttribute("data-countdown-in") : "in %(span)s",
    ago: source ? source.getAttribute("data-countdown-ago") : "%(span)s ago",
    now: source ? source.getAttribute("data-countdown-now") : "now"
  };
  var lang = document.documentElement.lang || "en";
  function unit(amount, name) {
    try {
      return new Intl.NumberFormat(lang, {style: "unit", unit: name, unitDisplay: "long",
        numberingSystem: "latn"}).format(amount);
    } catch (e) { return amount + " " + name + (amount === 1 ? "" : "s"); }
  }
  function words(ms) { // the two largest parts, as formats.timedelta_text writes them
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var parts = [[Math.floor(minutes / 1440), "day"], [Math.floor((minutes % 1440) / 60), "hour"],
      [minutes % 60, "minute"]];
    var first = 0;
    while (first < 2 && !parts[first][0]) first++;
    return parts.slice(first, first + 2).filter(function (p, i) { return p[0] || i === 0; })
      .map(function (p) { return unit(p[0], p[1]); }).join(" ");
  }
  function update() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var at = Date.parse(el.getAttribute("datetime"));
      if (isNaN(at)) return;
      var ms = at - now, box = el.closest("[data-countdown-box]");
      var out = (box || el.parentNode).querySelector(".countdown");
      if (out) out.textContent = Math.abs(ms) < 60000 ? phrase.now
        : (ms >= 0 ? phrase["in"] : phrase.ago).replace("%(span)s", words(ms));
      if (box) box.classList.toggle("is-past", ms < 0);
      el.setAttribute("data-live", "1");
    });
  }
  update();
  setInterval(update, 1000);
})();
