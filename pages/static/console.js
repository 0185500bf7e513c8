// The console's live view: poll the page's JSON endpoint and swap the fragments that changed.
// The server renders every fragment (one template each), so this file only fetches, swaps and posts.
// Forms post through fetch; what an action did, or why it did not happen, is said in aria-live regions.
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
  // What the page itself marked since (an opened <details>, a field blamed for an error) is carried into the
  // fresh copy first, by id, so it is neither a change nor lost.
  var CARRIED = ["open", "aria-invalid", "aria-errormessage"];

  function fresh(box, html) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    box.querySelectorAll("[id][open], [id][aria-invalid]").forEach(function (marked) {
      var same = holder.content.querySelector("#" + CSS.escape(marked.id));
      if (!same) { return; }
      CARRIED.forEach(function (attribute) {
        if (marked.hasAttribute(attribute)) { same.setAttribute(attribute, marked.getAttribute(attribute)); }
      });
    });
    return holder.innerHTML;
  }

  // What the agent has typed or chosen in a form that is still there after a swap (same id) is kept.
  function typed(box) {
    var kept = [];
    box.querySelectorAll("form[id] textarea, form[id] select, form[id] input:not([type=hidden])")
      .forEach(function (field) {
        if (!field.id && !field.name) { return; }
        kept.push({form: field.form.id, name: field.name, value: field.value, type: field.type,
                   checked: field.checked});
      });
    return kept;
  }

  function restore(box, kept) {
    kept.forEach(function (item) {
      var form = box.querySelector("form#" + CSS.escape(item.form));
      if (!form) { return; }
      form.querySelectorAll('[name="' + CSS.escape(item.name) + '"]').forEach(function (field) {
        if (field.type === "radio" || field.type === "checkbox") {
          if (field.value === item.value) { field.checked = item.checked; }
        } else { field.value = item.value; }
      });
    });
  }

  function swap(html) {
    Object.keys(html).forEach(function (name) {
      var box = main.querySelector('[data-fragment="' + name + '"]');
      if (!box) { return; }
      var next = fresh(box, html[name]);
      if (box.innerHTML === next) { return; }
      // Keep keyboard focus and what was typed across the swap, by id.
      var focused = box.contains(document.activeElement) ? document.activeElement.id : null;
      var kept = typed(box);
      box.innerHTML = next;
      restore(box, kept);
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
        if (!response.ok) {
          var failure = new Error(body.error || response.statusText);
          failure.field = body.field;
          throw failure;
        }
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

  // What the agent did with a call: the outcome, or why it did not happen, in the page's live regions.
  var callError = document.querySelector("[data-call-error]");
  var callDone = document.querySelector("[data-call-done]");
  var sending = new WeakSet();  // not an attribute, so a form in flight is no change to the next poll

  function told(error, done) {
    if (callError) { callError.textContent = error || ""; }
    if (callDone) { callDone.textContent = done || ""; }
  }

  function blame(form, field) {
    form.querySelectorAll("[aria-invalid]").forEach(function (old) {
      old.removeAttribute("aria-invalid");
      old.removeAttribute("aria-errormessage");
    });
    var culprit = field && form.querySelector('[name="' + CSS.escape(field) + '"]');
    if (culprit && culprit.type !== "hidden") {
      culprit.setAttribute("aria-invalid", "true");
      culprit.setAttribute("aria-errormessage", "call-error");
      culprit.focus();
    }
  }

  // The console's forms post without reloading; without this script each form still works on its own.
  main.addEventListener("submit", function (event) {
    var form = event.target;
    var action = form.matches("[data-action-form]");
    if (!action && !form.matches("[data-presence-form]")) { return; }
    event.preventDefault();
    var body = new FormData(form);
    if (event.submitter && event.submitter.name) { body.append(event.submitter.name, event.submitter.value); }
    if (sending.has(form)) { return; }  // one post at a time per form: a double click files once
    sending.add(form);
    if (action) { told("", ""); }
    request(form.action, {method: "POST", body: body}).then(function (data) {
      if (data.html) { show(data); }
      if (action) { told("", data.message || ""); blame(form, null); }
      poll();
    }).catch(function (error) {
      if (!action) { say(error.message); return; }
      told(error.message, "");
      blame(form, error.field);
    }).then(function () { sending.delete(form); });
  });

  timer = setTimeout(poll, POLL_MS);
})();
