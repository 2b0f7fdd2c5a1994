/*
 * omniroute chat widget. One tag on any shop page:
 *
 *   <script src="https://omniroute.example.com/chat/widget.js" async
 *           data-title="Example Shop support"></script>
 *
 * Options (data-* attributes): data-title, data-greeting, data-open="true" (start opened),
 * data-transport="rest" (skip WebSockets). Plain ES2017, no build step, no dependencies.
 * It talks to the omniroute that served this file. A line shows a clock while it is on its
 * way and a tick once omniroute confirms it is stored (acked after Kafka acknowledged it).
 * Unconfirmed lines are resent under the same client id, so a resend never duplicates.
 */
(function () {
  "use strict";
  if (window.OmnirouteChat) return; // included twice: the first copy wins
  var script = document.currentScript;
  if (!script || !window.WebSocket && !window.fetch) return;

  var base = new URL(script.src, window.location.href);
  var opts = {
    title: script.getAttribute("data-title") || "Customer service",
    greeting: script.getAttribute("data-greeting") || "Hi! How can we help you today?",
    transport: script.getAttribute("data-transport") || "auto",
    open: script.getAttribute("data-open") === "true"
  };
  var WS_PATH = "/v1/chat/ws";
  var REST_PATH = "/v1/chat/messages";
  var MAX_WS_FAILURES = 3;     // handshakes that never opened before falling back to REST
  var MAX_BACKOFF_MS = 30000;
  var MAX_TRIES = 10;          // per line; then it waits for a click
  var PING_MS = 25000;         // below common proxy idle timeouts (30-60 s)
  var TYPING_MS = 3000;
  // Plain characters, not emoji: kiosk and Linux browsers often lack an emoji font.
  var TICKS = { pending: "\u2026", acked: "\u2713", failed: "!" };
  var TITLES = { pending: "Sending\u2026", acked: "Received", failed: "Not sent yet \u2013 retrying" };

  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function storedId(kind, key) {
    // Storage can be disabled or throw (private modes, sandboxed frames): a fresh id then.
    try {
      var storage = window[kind];
      var value = storage.getItem(key);
      if (!value) { value = randomId(); storage.setItem(key, value); }
      return value;
    } catch (e) {
      return randomId();
    }
  }

  var visitorId = storedId("localStorage", "omniroute.visitor");   // the browser
  var sessionId = storedId("sessionStorage", "omniroute.session"); // this conversation (tab)
  var pending = {};  // client_id -> {text, el, tries}; insertion order = typing order
  var identity = {}; // kept in memory only: no personal data in browser storage
  var ws = null;
  var wsFailures = 0;
  var backoff = 1000;
  var useRest = opts.transport === "rest" || !window.WebSocket;
  var pingTimer = null;
  var lastTyping = 0;

  var CSS = [
    ":host{all:initial;font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d2330}",
    ".launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;",
    "border:0;background:#2457d6;color:#fff;display:grid;place-items:center;cursor:pointer;box-shadow:0 4px 14px #0003;z-index:2147483000}",
    ".panel{position:fixed;right:20px;bottom:88px;width:340px;max-width:calc(100vw - 40px);height:460px;",
    "max-height:calc(100vh - 120px);display:flex;flex-direction:column;background:#fff;border-radius:12px;",
    "box-shadow:0 8px 30px #0004;overflow:hidden;z-index:2147483000}",
    ".panel[hidden]{display:none}",
    "header{display:flex;align-items:center;gap:8px;padding:12px 14px;background:#2457d6;color:#fff}",
    "header .title{font-weight:600;flex:1}header .status{font-size:12px;opacity:.85}",
    "header button{background:none;border:0;color:#fff;font-size:20px;cursor:pointer}",
    ".log{list-style:none;margin:0;padding:12px;flex:1;overflow-y:auto;background:#f5f7fb}",
    ".log li{margin:6px 0;display:flex}.log li.me{justify-content:flex-end}",
    ".bubble{max-width:78%;padding:8px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}",
    ".me .bubble{background:#2457d6;color:#fff}.them .bubble,.note .bubble{background:#fff;border:1px solid #dde3ee}",
    ".note .bubble{font-size:12px;color:#5a6478}",
    ".tick{font-size:11px;margin-left:6px;opacity:.9}.failed .tick{color:#ffd4d4;cursor:pointer}",
    "details{padding:6px 12px;border-top:1px solid #e4e8f0;font-size:13px}summary{cursor:pointer;color:#2457d6}",
    ".identify{display:flex;gap:6px;margin-top:6px;flex-wrap:wrap}.identify input{flex:1;min-width:0}",
    "input,textarea{font:inherit;padding:6px 8px;border:1px solid #c9d1e0;border-radius:6px}",
    ".composer{display:flex;gap:6px;padding:10px;border-top:1px solid #e4e8f0}",
    ".composer textarea{flex:1;resize:none}",
    "form button{font:inherit;border:0;border-radius:6px;background:#2457d6;color:#fff;padding:6px 12px;cursor:pointer}"
  ].join("");

  var TEMPLATE =
    '<button class="launcher" type="button" aria-label="Open chat">' +
    '<svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true"><path fill="currentColor" ' +
    'd="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>' +
    '</button>' +
    '<section class="panel" hidden role="dialog">' +
    '<header><span class="title"></span><span class="status" aria-live="polite"></span>' +
    '<button class="close" type="button" aria-label="Close chat">\u00D7</button></header>' +
    '<ol class="log" aria-live="polite"></ol>' +
    '<details class="who"><summary>Tell us who you are (optional)</summary>' +
    '<form class="identify"><input name="email" type="email" placeholder="Email" autocomplete="email">' +
    '<input name="order_number" placeholder="Order number"><button type="submit">Save</button></form></details>' +
    '<form class="composer"><textarea name="text" rows="2" maxlength="4000" ' +
    'placeholder="Type your message\u2026" aria-label="Message"></textarea>' +
    '<button type="submit">Send</button></form></section>';

  var host = document.createElement("div");
  host.id = "omniroute-chat";
  var root = host.attachShadow({ mode: "open" }); // page styles cannot break the widget
  var style = document.createElement("style");
  style.textContent = CSS;
  root.appendChild(style);
  var wrapper = document.createElement("div");
  wrapper.innerHTML = TEMPLATE; // static markup only; visitor text always goes in via textContent
  root.appendChild(wrapper);
  var $ = function (sel) { return root.querySelector(sel); };
  var panel = $(".panel");
  var log = $(".log");
  var input = $(".composer textarea");
  $(".title").textContent = opts.title;
  panel.setAttribute("aria-label", opts.title);

  function setStatus(text) { $(".status").textContent = text; }

  function addLine(text, who) {
    var li = document.createElement("li");
    li.className = who;
    var bubble = document.createElement("span");
    bubble.className = "bubble";
    bubble.textContent = text;
    li.appendChild(bubble);
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    return li;
  }

  function mark(entry, status) {
    var tick = entry.el.querySelector(".tick");
    entry.el.setAttribute("data-status", status);
    entry.el.classList.toggle("failed", status === "failed");
    tick.textContent = TICKS[status];
    tick.title = TITLES[status];
  }

  function messageFrame(id) {
    return { type: "message", client_id: id, text: pending[id].text,
             page_url: String(window.location.href).slice(0, 2048) };
  }

  function transmit(id) {
    var entry = pending[id];
    if (!entry) return;
    entry.tries += 1;
    if (useRest) { postRest(id); return; }
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(messageFrame(id)));
    // otherwise it is sent when the socket (re)opens
  }

  function retryLater(id, seconds) {
    var entry = pending[id];
    if (!entry) return;
    mark(entry, "failed");
    if (entry.tries >= MAX_TRIES) return; // waits for a click on "!"
    var delay = Math.min(MAX_BACKOFF_MS, (seconds || 1) * 1000 * entry.tries);
    setTimeout(function () { if (pending[id]) transmit(id); }, delay);
  }

  function onAck(frame) {
    var entry = pending[frame.client_id];
    if (!entry) return;
    delete pending[frame.client_id];
    entry.el.setAttribute("data-message-id", frame.id);
    mark(entry, "acked");
  }

  function postRest(id) {
    var body = Object.assign(messageFrame(id), identity,
                             { session_id: sessionId, visitor_id: visitorId });
    fetch(new URL(REST_PATH, base).toString(), {
      method: "POST", credentials: "omit",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (resp) {
      if (resp.status === 202) return resp.json().then(onAck);
      if (resp.status >= 400 && resp.status < 500 && resp.status !== 429) {
        pending[id].tries = MAX_TRIES; // rejected for good: retrying cannot help
      }
      retryLater(id, Number(resp.headers.get("Retry-After")) || 2);
      return null;
    }).catch(function () { retryLater(id, 2); });
  }

  function resendPending() {
    Object.keys(pending).forEach(function (id) { transmit(id); });
  }

  function send(text) {
    text = String(text || "").trim();
    if (!text) return null;
    var id = "c" + Date.now().toString(36) + randomId().slice(0, 10);
    var el = addLine(text, "me");
    el.setAttribute("data-client-id", id);
    var tick = document.createElement("span");
    tick.className = "tick";
    el.querySelector(".bubble").appendChild(tick);
    pending[id] = { text: text, el: el, tries: 0 };
    mark(pending[id], "pending");
    tick.addEventListener("click", function () {
      if (pending[id]) { pending[id].tries = 0; transmit(id); }
    });
    transmit(id);
    return id;
  }

  function sendFrame(frame) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  }

  function handle(frame) {
    if (frame.type === "welcome") {
      sessionId = frame.session_id; // the server may have replaced an invalid id
      try { window.sessionStorage.setItem("omniroute.session", sessionId); } catch (e) { /* ok */ }
      setStatus("online");
    } else if (frame.type === "ack") {
      onAck(frame);
    } else if (frame.type === "error" && frame.client_id) {
      retryLater(frame.client_id, frame.code === "rate_limited" ? 3 : 2);
    } else if (frame.type === "error") {
      addLine("Sorry, that did not work (" + frame.code + ").", "note");
    } else if (frame.type === "identified") {
      addLine("Thanks, we will use that to find your order.", "note");
    }
  }

  function connect() {
    if (useRest) { setStatus("online"); return; }
    var url = new URL(WS_PATH, base);
    url.protocol = base.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("session", sessionId);
    url.searchParams.set("visitor", visitorId);
    var sock = new WebSocket(url.toString());
    var opened = false;
    ws = sock;
    sock.onopen = function () {
      opened = true; wsFailures = 0; backoff = 1000;
      if (Object.keys(identity).length) sendFrame(Object.assign({ type: "identify" }, identity));
      resendPending();
      pingTimer = setInterval(function () { sendFrame({ type: "ping" }); }, PING_MS);
    };
    sock.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && typeof frame.type === "string") handle(frame);
    };
    sock.onclose = function () {
      clearInterval(pingTimer);
      ws = null;
      if (!opened) wsFailures += 1;
      if (wsFailures >= MAX_WS_FAILURES) { // proxies that block WebSockets: use plain HTTP
        useRest = true; setStatus("online"); resendPending(); return;
      }
      setStatus("reconnecting\u2026");
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    };
  }

  function open() { panel.hidden = false; input.focus(); }
  function close() { panel.hidden = true; }

  $(".launcher").addEventListener("click", function () { if (panel.hidden) open(); else close(); });
  $(".close").addEventListener("click", close);
  $(".composer").addEventListener("submit", function (event) {
    event.preventDefault();
    if (send(input.value)) input.value = "";
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      if (send(input.value)) input.value = "";
    }
  });
  input.addEventListener("input", function () {
    var now = Date.now();
    if (now - lastTyping > TYPING_MS) { lastTyping = now; sendFrame({ type: "typing", state: true }); }
  });
  $(".identify").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    identity = {};
    ["email", "order_number"].forEach(function (name) {
      var value = form.elements[name].value.trim();
      if (value) identity[name] = value;
    });
    if (!Object.keys(identity).length) return;
    if (useRest) addLine("Thanks, we will use that to find your order.", "note");
    else sendFrame(Object.assign({ type: "identify" }, identity));
    form.closest("details").open = false;
  });
  document.addEventListener("visibilitychange", function () {
    sendFrame({ type: "presence", state: document.visibilityState });
  });

  function start() {
    document.body.appendChild(host);
    addLine(opts.greeting, "them");
    setStatus("connecting\u2026");
    connect();
    if (opts.open) open();
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);

  window.OmnirouteChat = { open: open, close: close, send: send };
})();
