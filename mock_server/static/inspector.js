// assistants-mock inspector: fetch the panels every second, swap them in when changed.
// Open/closed <details> keep their state across updates. No dependencies.
(function () {
  "use strict";
  var panels = document.getElementById("panels");
  var live = document.getElementById("live");
  var last = panels.innerHTML;
  var closed = {};
  panels.addEventListener("toggle", function (event) {
    var id = event.target.id;
    if (id) { closed[id] = !event.target.open; }
  }, true);
  function refresh() {
    fetch("/assistants-mock/panels", {cache: "no-store"})
      .then(function (answer) { return answer.text(); })
      .then(function (html) {
        live.className = "live";
        if (html === last) { return; }
        last = html;
        panels.innerHTML = html;
        Object.keys(closed).forEach(function (id) {
          var element = document.getElementById(id);
          if (element && closed[id]) { element.open = false; }
        });
      })
      .catch(function () { live.className = "live down"; })
      .finally(function () { setTimeout(refresh, 1000); });
  }
  setTimeout(refresh, 1000);
})();
