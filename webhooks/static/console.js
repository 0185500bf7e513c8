// The console's live view: poll the page's JSON endpoint and swap the fragments that changed.
// The server renders every fragment (one template each), so this file only fetches, swaps and posts.
(function () {
  "use strict";
  var POLL_MS = 2000;
  var main = document.querySelector("main[data-poll]");
  if (!main) { return; }
  var source = main.getAttribute("data-poll");
  var status = document.querySelector("[data-live-status]");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var baseTitle = document.title;
  var timer = null;

  function say(text) { if (status && status.textContent !== text) { status.textContent = text; } }

  // Compare as the browser serializes HTML, so an unchanged fragment is never replaced (nor re-announced).
  function serialized(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    return holder.innerHTML;
  }

  function swap(html) {
    Object.keys(html).forEach(function (name) {
      var box = main.querySelector('[data-fragment="' + name + '"]');
      var fresh = serialized(html[name]);
      if (!box || box.innerHTML === fresh) { return; }
      // Keep keyboard focus across the swap, by id.
      var focused = box.contains(document.activeElement) ? document.activeElement.id : null;
      box.innerHTML = fresh;
      if (focused && document.getElementById(focused)) { document.getElementById(focused).focus(); }
    });
  }

  function show(data) {
    swap(data.html || {});
    var pop = data.screen_pop;
    document.title = pop && pop.state === "offered" ? "Incoming call · " + baseTitle : baseTitle;
    say("");
  }

  function request(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({"Accept": "application/json", "X-CSRF-Token": csrf}, options.headers);
    return fetch(url, options).then(function (response) {
      if (response.status === 401) { window.location.reload(); throw new Error("logged out"); }
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.error || response.statusText); }
        return body;
      });
    });
  }

  function poll() {
    clearTimeout(timer);
    request(source).then(show).catch(function (error) {
      say("Live updates paused (" + error.message + "); retrying.");
    }).then(function () { timer = setTimeout(poll, POLL_MS); });
  }

  // The presence toggle posts without reloading; without this script the form still works.
  main.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-presence-form]")) { return; }
    event.preventDefault();
    var body = new FormData(form);
    if (event.submitter && event.submitter.name) { body.append(event.submitter.name, event.submitter.value); }
    request(form.action, {method: "POST", body: body}).then(function (data) {
      show(data);
      poll();
    }).catch(function (error) { say(error.message); });
  });

  timer = setTimeout(poll, POLL_MS);
})();
