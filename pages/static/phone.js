// A phone in the page, driven through the app (which relays to the local carrier): the administrator's test
// phone, the demo's softphone and an agent's browser phone are all this one widget on different URLs.
//
// <div data-phone data-state-url="/x/calls/{sid}" data-action-url="/x/calls/{sid}/{action}"
//      [data-call-url="/x/call"] [data-ringing-url="/x/ringing"]> with, inside: [data-phone-log],
// [data-phone-note], [data-phone-call] (places a call), [data-phone-answer], [data-phone-keys] holding a
// keypad of [data-key] buttons, a [data-phone-say] form with an input, and a [data-phone-hang-up] button.
// Prompts are shown as text and spoken where the browser can; words can be typed or, where the browser
// recognises speech, said. Hold music (a <Play>) plays in the page, its loops counted, until the call moves on;
// while it sounds the phone carries data-music="<url>". The phone tells the carrier how far it has read
// ({heard: N}), so a Gather waits for a person still listening; a key or words stop the reading (barge-in).
// Each prompt is shown and read out in the language the line says it in (a <Say language>); an optional
// [data-phone-language] select is the language the person speaks: what the microphone listens for, and the
// example in the Say box.
(function () {
  "use strict";
  var token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var ENDED = ["completed", "busy", "failed", "no-answer", "canceled"];

  function request(method, url, body) {
    return fetch(url, {method: method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": token, "Accept": "application/json"},
      body: body === undefined ? undefined : JSON.stringify(body)}).then(function (r) {
        return r.json().then(function (data) { if (!r.ok) { throw new Error(data.error || r.statusText); } return data; });
      });
  }

  function words(entry, me) {
    switch (entry.kind) {
      case "heard": return ["heard", entry.text];
      case "pressed": return ["you", "You pressed " + entry.text];
      case "said": return ["you", "You said: " + entry.text];
      case "silence": return ["event", "(you said nothing)"];
      case "talk": return entry.speaker === me ? ["you", "You: " + entry.text] : ["heard", (entry.speaker || "Them") + ": " + entry.text];
      case "bridged": return ["event", "(connected" + (entry.text ? " with " + entry.text : "") + ")"];
      case "enqueued": return ["event", "(on hold)"];
      case "played": return ["event", entry.error ? "(music could not be played)" : "(music)"];
      case "hangup": return ["event", "(call ended: " + entry.text + ")"];
      case "application-error": return ["event", "(application error: " + entry.text + ")"];
      default: return null;
    }
  }

  function Phone(root) {
    var log = root.querySelector("[data-phone-log]"), note = root.querySelector("[data-phone-note]");
    var keys = root.querySelector("[data-phone-keys]"), answer = root.querySelector("[data-phone-answer]");
    var dial = root.querySelector("[data-phone-call]"), say = root.querySelector("[data-phone-say]");
    var me = root.dataset.number || "";
    var sid = null, next = 0, timer = null;
    var reading = 0, generation = 0, read = 0;  // utterances not yet finished; the transcript read out, told


    function url(template, action) { return template.replace("{sid}", encodeURIComponent(sid)).replace("{action}", action || ""); }
    function tell(text) { if (note) { note.textContent = text; } }
    function show(kind, text, lang) {
      var item = document.createElement("li");
      item.className = kind;
      if (lang) { item.lang = lang; }
      item.textContent = text;
      log.appendChild(item);
      log.scrollTop = log.scrollHeight;
    }
    function speak(text, lang) {
      if (root.hasAttribute("data-silent") || !window.speechSynthesis || !window.SpeechSynthesisUtterance) { return; }
      var utterance = new SpeechSynthesisUtterance(text), mine = generation;
      if (lang) { utterance.lang = lang; }  // a Spanish prompt in a Spanish voice
      var done = function () { if (mine === generation && --reading === 0) { tellRead(); } };
      utterance.addEventListener("end", done);
      utterance.addEventListener("error", done);  // no voice, or stopped
      reading += 1;
      try { window.speechSynthesis.speak(utterance); } catch (e) { reading -= 1; /* no voice */ }
    }
    function tellRead() {  // everything shown so far has been read out: a Gather may start its timeout
      if (!sid || reading > 0 || next <= read) { return; }
      read = next;
      request("POST", url(root.dataset.actionUrl, "input"), {heard: read}).catch(function () { /* over */ });
    }
    function hush() {  // the caller pressed or spoke: stop reading (the carrier stops the prompt too)
      generation += 1;
      reading = 0;
      read = next;  // what was not read out was cut short: nothing to wait for
      if (window.speechSynthesis && !root.hasAttribute("data-silent")) { try { window.speechSynthesis.cancel(); } catch (e) { /* none */ } }
    }

    var music = null;
    function stopMusic() {
      if (music) { music.pause(); music.removeAttribute("src"); music = null; }
      delete root.dataset.music;
    }
    function playMusic(entry) {  // the carrier moves on when the loops are done; the next entry stops it anyway
      stopMusic();
      if (!entry.text || entry.error || root.hasAttribute("data-silent") || !window.Audio) { return; }
      var audio = music = new Audio(entry.text), left = entry.loop === undefined ? 1 : entry.loop;
      audio.loop = left === 0;
      audio.addEventListener("playing", function () { if (music === audio) { root.dataset.music = entry.text; } });
      audio.addEventListener("ended", function () {
        left -= 1;
        if (music === audio && left > 0) { audio.currentTime = 0; audio.play().catch(function () {}); } else if (music === audio) { stopMusic(); }
      });
      audio.play().catch(function () { /* the browser refused to play without a click: the log still says (music) */ });
    }

    function follow(newSid) {
      hush();
      sid = newSid; next = 0; read = 0; log.innerHTML = "";
      root.dataset.call = sid;
      clearTimeout(timer);
      poll();
    }

    function idle(ended) {
      stopMusic();
      sid = null;
      delete root.dataset.call;
      keys.hidden = true;
      if (answer) { answer.hidden = true; }
      if (dial) { dial.disabled = false; }
      if (ended) { tell(ended); }
      if (root.dataset.ringingUrl) { timer = setTimeout(listen, 1000); }
    }

    function poll() {
      request("GET", url(root.dataset.stateUrl) + "?since=" + next).then(function (data) {
        (data.transcript || []).forEach(function (entry) {
          var shown = words(entry, me);
          if (!shown) { return; }
          if (entry.kind === "played") { playMusic(entry); } else { stopMusic(); }
          var lang = entry.kind === "heard" ? entry.language : "";
          show(shown[0], shown[1], lang);
          if (shown[0] === "heard") { speak(entry.text, lang); }
        });
        next = data.next || next;
        tellRead();
        root.dataset.status = data.status;
        var ringing = data.waiting === "ringing";
        if (answer) { answer.hidden = !ringing; }
        if (ringing) { tell("Ringing: " + (data.direction === "inbound" ? data.to : data.from)); }
        if (ENDED.indexOf(data.status) >= 0) { idle("The call has ended."); return; }
        keys.hidden = ringing;
        if (!ringing && data.status === "in-progress") { tell("On a call."); }
        timer = setTimeout(poll, 400);
      }).catch(function () { timer = setTimeout(poll, 1000); });
    }

    function listen() {  // an idle phone notices when it is rung (a callback, a caller offered to an agent)
      request("GET", root.dataset.ringingUrl).then(function (calls) {
        var ringing = (calls || []).filter(function (c) { return c.waiting === "ringing" || c.status === "ringing"; })[0];
        if (ringing && !sid) { follow(ringing.sid); return; }
        timer = setTimeout(listen, 1000);
      }).catch(function () { timer = setTimeout(listen, 2000); });
    }

    if (answer) {
      answer.addEventListener("click", function () {
        answer.hidden = true;
        request("POST", url(root.dataset.actionUrl, "answer")).catch(function (e) { tell(e.message); });
      });
    }
    if (dial) {
      dial.addEventListener("click", function () {
        dial.disabled = true;
        clearTimeout(timer);
        request("POST", root.dataset.callUrl, root.callBody ? root.callBody() : {}).then(function (data) {
          tell(data.message || "Calling…");
          if (data.sid && data.in_browser !== false) { follow(data.sid); } else { dial.disabled = false; }
        }).catch(function (e) { tell(e.message); dial.disabled = false; });
      });
    }
    keys.addEventListener("click", function (event) {
      var key = event.target.getAttribute && event.target.getAttribute("data-key");
      if (key && sid) { hush(); request("POST", url(root.dataset.actionUrl, "input"), {press: key}); }
      if (event.target.hasAttribute && event.target.hasAttribute("data-phone-hang-up") && sid) {
        request("POST", url(root.dataset.actionUrl, "input"), {hang_up: true});
      }
    });
    var spoken = root.querySelector("[data-phone-language]");
    function speaking() { return spoken ? spoken.value : document.documentElement.lang || "en"; }
    if (say) {
      var input = say.querySelector("input");
      var example = function () {
        var chosen = spoken && spoken.options[spoken.selectedIndex];
        if (chosen && chosen.dataset.example) { input.placeholder = chosen.dataset.example; }
        if (spoken) { input.lang = spoken.value; }
      };
      if (spoken) { spoken.addEventListener("change", example); example(); }
      say.addEventListener("submit", function (event) {
        event.preventDefault();
        var text = input.value.trim();
        if (text && sid) { hush(); request("POST", url(root.dataset.actionUrl, "input"), {say: text}); }
        input.value = "";
      });
      var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
      var mic = say.querySelector("[data-phone-mic]");
      if (Recognition && mic) {
        mic.hidden = false;
        mic.addEventListener("click", function () {
          var recognition = new Recognition();
          recognition.lang = speaking();
          recognition.onresult = function (event) { input.value = event.results[0][0].transcript; say.requestSubmit(); };
          recognition.start();
        });
      }
    }
    keys.hidden = true;
    if (root.dataset.ringingUrl) { listen(); }
    root.phone = {follow: follow};
  }

  document.querySelectorAll("[data-phone]").forEach(Phone);
})();
