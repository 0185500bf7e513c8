// The script editor: YAML highlighted under a plain textarea, line numbers with the problems marked, and the
// server's checks (problems, diagram, texts by language, diff) fetched as the administrator types; the diagram
// in the language chosen above it. Without this script the page is a textarea and a Save button, which still
// works (and the diagram's language is chosen by reloading the page).
(function () {
  "use strict";
  var main = document.querySelector("main[data-check]");
  if (!main) { return; }
  var text = main.querySelector("[data-text]");
  var highlight = main.querySelector("[data-highlight]");
  var gutter = main.querySelector("[data-gutter]");
  var list = main.querySelector("[data-problems]");
  var count = main.querySelector("[data-problem-count]");
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var problems = JSON.parse(document.getElementById("problems-data").textContent);
  var timer = null, sent = 0, shown = 0;

  function escape(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // One line of YAML: comment, key, string, number or boolean, list dash; enough to read a script at a glance.
  function paint(line) {
    var m = /^(\s*)(- )?([^#'"\s][^:#]*?:)(?=\s|$)(.*)$/.exec(line);
    var head = "", rest = line;
    if (m) {
      head = escape(m[1]) + (m[2] ? '<span class="y-dash">- </span>' : "") + '<span class="y-key">' + escape(m[3]) + "</span>";
      rest = m[4];
    }
    var out = "", re = /(#.*$)|("(?:[^"\\]|\\.)*"?|'[^']*'?)|(\b\d[\d:.-]*\b)|(\b(?:true|false|null|yes|no)\b)/g, last = 0, t;
    while ((t = re.exec(rest))) {
      out += escape(rest.slice(last, t.index));
      var cls = t[1] ? "y-comment" : t[2] ? "y-string" : t[3] ? "y-number" : "y-bool";
      out += '<span class="' + cls + '">' + escape(t[0]) + "</span>";
      last = re.lastIndex;
      if (t[1]) { break; }
    }
    return head + out + escape(rest.slice(last));
  }

  function draw() {
    var lines = text.value.split("\n");
    var bad = {};
    problems.forEach(function (p) {
      if (!bad[p.line] || p.severity === "error") { bad[p.line] = p.severity; }
    });
    highlight.innerHTML = lines.map(function (line, i) {
      var cls = bad[i + 1] ? ' class="code__line code__line--' + bad[i + 1] + '"' : ' class="code__line"';
      return "<span" + cls + ">" + paint(line) + "</span>";
    }).join("\n") + "\n";
    gutter.innerHTML = lines.map(function (_, i) {
      var mark = bad[i + 1] ? ' class="gutter--' + bad[i + 1] + '" title="' + bad[i + 1] + '"' : "";
      return "<span" + mark + ">" + (i + 1) + "</span>";
    }).join("\n");
    sync();
  }

  function sync() {
    highlight.scrollTop = text.scrollTop;
    highlight.scrollLeft = text.scrollLeft;
    gutter.scrollTop = text.scrollTop;
  }

  function listProblems() {
    var errors = problems.filter(function (p) { return p.severity === "error"; }).length;
    var warnings = problems.length - errors;
    count.textContent = errors + " error" + (errors === 1 ? "" : "s") + ", " + warnings + " warning" + (warnings === 1 ? "" : "s");
    list.innerHTML = problems.map(function (p) {
      return '<li class="problem problem--' + p.severity + '" data-line="' + p.line + '"><button type="button" class="link" data-goto="' +
        p.line + '">Line ' + p.line + "</button>, " + escape(p.field) + ": " + escape(p.message) + "</li>";
    }).join("");
  }

  function diagramLanguage() {
    var chosen = main.querySelector("[data-diagram-language] select");
    return chosen ? chosen.value : null;
  }

  function scripted() {  // what only a page without this script needs
    main.querySelectorAll("[data-without-script]").forEach(function (el) { el.hidden = true; });
  }

  function check() {
    var mine = ++sent;
    fetch(main.dataset.check, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": token, "Accept": "application/json"},
      body: JSON.stringify({text: text.value, language: diagramLanguage()})
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (mine < shown || !data.problems) { return; }  // an older answer arriving late changes nothing
      shown = mine;
      problems = data.problems;
      listProblems();
      draw();
      var focused = document.activeElement && document.activeElement.id;
      Object.keys(data.html).forEach(function (name) {
        var box = main.querySelector('[data-fragment="' + name + '"]');
        if (box) { box.innerHTML = data.html[name]; }
      });
      scripted();
      if (focused === "diagram-language") { document.getElementById(focused).focus(); }
      main.dataset.checked = String(mine);
    }).catch(function () { count.textContent = "Could not check the script just now; it is checked again as you type."; });
  }

  text.addEventListener("input", function () {
    draw();
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });
  text.addEventListener("scroll", sync);
  // Tab indents by two spaces, as YAML wants, instead of leaving the editor.
  text.addEventListener("keydown", function (event) {
    if (event.key !== "Tab" || event.shiftKey || event.ctrlKey || event.altKey) { return; }
    event.preventDefault();
    var start = text.selectionStart;
    text.setRangeText("  ", start, text.selectionEnd, "end");
    text.dispatchEvent(new Event("input"));
  });
  // The diagram's language: drawn again at once, from the text as it is now.
  main.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest("[data-diagram-language]")) { check(); }
  });
  main.addEventListener("submit", function (event) {
    if (event.target.hasAttribute("data-diagram-language")) { event.preventDefault(); check(); }
  });
  // A problem's line, or a text's in the table by language: the editor goes there.
  main.addEventListener("click", function (event) {
    var line = event.target.getAttribute && event.target.getAttribute("data-goto");
    if (!line) { return; }
    var lines = text.value.split("\n"), at = 0;
    for (var i = 0; i < Number(line) - 1 && i < lines.length; i++) { at += lines[i].length + 1; }
    text.focus();
    text.setSelectionRange(at, at + (lines[Number(line) - 1] || "").length);
    var height = text.scrollHeight / Math.max(lines.length, 1);
    text.scrollTop = Math.max(0, (Number(line) - 5) * height);
  });
  draw();
  listProblems();
  scripted();

  // The test phone (phone.js) rings the text in the editor as it is now.
  var phone = main.querySelector("[data-phone]");
  if (phone) { phone.callBody = function () { return {text: text.value}; }; }
  window.callflowEditor = {text: text, check: check};
})();
