// The wallboard's refresh: fetch the board's figures every second and copy each cell's words and colour into
// place. The server words every figure (pages/wallboard.py), so this file only fetches and copies.
(function () {
  "use strict";
  var main = document.querySelector("main[data-wallboard]");
  if (!main) { return; }
  var source = main.getAttribute("data-wallboard");
  var every = parseInt(main.getAttribute("data-poll-ms"), 10) || 1000;
  var status = document.querySelector("[data-wb-status]");
  var RATINGS = ["good", "warn", "bad"];
  var lastGood = Date.now();
  var busy = false;

  function say(text, stale) {
    if (status.textContent !== text) { status.textContent = text; }
    status.classList.toggle("stale", !!stale);
  }

  function paint(cells) {
    document.querySelectorAll("[data-cell]").forEach(function (element) {
      var shown = cells[element.getAttribute("data-cell")];
      if (!shown) { return; }
      if (element.textContent !== shown[0]) { element.textContent = shown[0]; }
      RATINGS.forEach(function (rating) { element.classList.toggle(rating, shown[1] === rating); });
    });
  }

  function refresh() {
    if (busy) { return; }
    busy = true;
    fetch(source + window.location.search, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (response.status === 401 || response.status === 403) { window.location.reload(); }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        paint(data.cells);
        lastGood = Date.now();
        say("Live " + new Date(lastGood).toLocaleTimeString(), false);
      })
      .catch(function () {
        var seconds = Math.round((Date.now() - lastGood) / 1000);
        say("Not updated for " + seconds + " s", seconds >= 3);
      })
      .then(function () { busy = false; });
  }

  window.setInterval(refresh, every);
}());
