// Live countdowns (progressive enhancement): every <time data-countdown datetime="…"> keeps the text of
// the .countdown next to it current ("in 8 min", "3 min ago") and marks its [data-countdown-box] as past
// once the time has come. Without JavaScript the page still shows the time and the countdown at load.
(function () {
  "use strict";
  function words(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    if (minutes < 1) return "less than 1 min";
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    return [days ? days + " d" : "", hours ? hours + " h" : "", mins + " min"].filter(Boolean).join(" ");
  }
  function update() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var at = Date.parse(el.getAttribute("datetime"));
      if (isNaN(at)) return;
      var ms = at - now, box = el.closest("[data-countdown-box]");
      var out = (box || el.parentNode).querySelector(".countdown");
      if (out) out.textContent = ms >= 0 ? "in " + words(ms) : words(ms) + " ago";
      if (box) box.classList.toggle("is-past", ms < 0);
      el.setAttribute("data-live", "1");
    });
  }
  update();
  setInterval(update, 1000);
})();
