// Live preview and transparency check while the agent edits a message (the page works without it).
(function () {
  "use strict";
  var form = document.getElementById("compose-form");
  if (!form || !window.fetch) return;
  var token = form.querySelector("input[name=csrf_token]");
  var timers = {};
  function refresh(section) {
    var lang = section.getAttribute("data-lang");
    var data = new FormData();
    data.append("csrf_token", token ? token.value : "");
    data.append("kind", form.getAttribute("data-kind"));
    data.append("stage", form.querySelector("[name=stage]").value);
    data.append("lang", lang);
    data.append("has_next", form.querySelector("[name=next_update_at]").value ? "1" : "");
    data.append("next_update_at", form.querySelector("[name=next_update_at]").value);
    data.append("incident", form.getAttribute("data-incident") || "");
    section.querySelectorAll("textarea[data-section]").forEach(function (t) {
      data.append(t.getAttribute("data-section"), t.value);
    });
    fetch(form.getAttribute("data-preview"), {method: "POST", body: data, credentials: "same-origin",
      headers: {"X-CSRFToken": token ? token.value : ""}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (json) {
        if (!json) return;
        section.querySelector(".preview").innerHTML = json.html; // sanitized on the server
        // Each result beside the section it concerns; the rest under "the whole message".
        section.querySelectorAll(".findings").forEach(function (list) { list.textContent = ""; });
        json.findings.forEach(function (f) {
          var places = (f.sections || []).map(function (name) {
            return section.querySelector('.findings-section[data-for="' + name + '"]');
          }).filter(Boolean);
          if (!places.length) places = [section.querySelector(".findings-message")];
          places.forEach(function (list) {
            var li = document.createElement("li");
            li.className = f.ok ? "ok" : "fail";
            li.textContent = (f.ok ? "✓ " : "✕ ") + f.message;
            list.appendChild(li);
          });
        });
      })
      .catch(function () {});
  }
  function fit(box) { // a section box is as tall as its text
    box.style.height = "auto";
    box.style.height = box.scrollHeight + 2 + "px";
  }
  form.querySelectorAll("textarea[data-section]").forEach(fit);
  form.querySelectorAll("section.language").forEach(function (section) {
    section.addEventListener("input", function (event) {
      if (event.target.matches("textarea[data-section]")) fit(event.target);
      var lang = section.getAttribute("data-lang");
      clearTimeout(timers[lang]);
      timers[lang] = setTimeout(function () { refresh(section); }, 350);
    });
  });
})();
