/* canishare web chat: sends what the person types or clicks to /api/chat and renders the replies.
   Every piece of text goes into the page with textContent (never innerHTML), so nothing typed by a
   person or written in the knowledge base can become markup. No libraries, no external requests. */
(function () {
  "use strict";

  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var sendButton = document.getElementById("send");
  var statusLine = document.getElementById("status");
  var busy = false;
  var counter = 0;

  var OUTCOME_HEADINGS = {
    share: "You can share",
    do_not_share: "Do not share",
    seek_advice: "Seek advice",
    urgent: "Act now"
  };
  // Buttons that move a question on: drawn in the main colour; the rest are secondary.
  var PRIMARY = { yes: true, no: true, start: true };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function newId() {
    // crypto.randomUUID needs a secure context; getRandomValues works everywhere.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function setStatus(text) {
    statusLine.textContent = "";
    // A fresh node each time so screen readers announce a repeat of the same words.
    window.setTimeout(function () { statusLine.textContent = text; }, 50);
  }

  /* Plain text with "• " bullet lines: paragraphs and lists. */
  function addText(parent, text) {
    var list = null;
    String(text || "").split("\n").forEach(function (line) {
      if (/^\s*[•\-]\s+/.test(line)) {
        if (!list) { list = el("ul"); parent.appendChild(list); }
        list.appendChild(el("li", null, line.replace(/^\s*[•\-]\s+/, "")));
        return;
      }
      list = null;
      if (line.trim()) { parent.appendChild(el("p", null, line)); }
    });
  }

  function cite(source) {
    var text = source.publisher + ", " + source.title + " (" + source.edition + ")";
    if (source.section) { text += ", " + source.section; }
    if (!source.current) { text += " (superseded; shown for history)"; }
    if (source.pack) { text = "Local pack '" + source.pack + "': " + text; }
    return text;
  }

  function addSource(parent, source) {
    if (!source) { return; }
    var line = el("p", "source");
    line.appendChild(document.createTextNode("Source: " + cite(source)));
    if (/^https?:\/\//i.test(source.url || "")) {
      line.appendChild(document.createTextNode(" "));
      var link = el("a", null, "Read the source");
      link.href = source.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.appendChild(el("span", "visually-hidden", " (opens in a new tab)"));
      line.appendChild(link);
    }
    parent.appendChild(line);
  }

  function addChoices(parent, reply, label) {
    if (!reply.choices || !reply.choices.length) { return; }
    var group = el("div", "choices");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", label);
    reply.choices.forEach(function (choice) {
      var button = el("button", PRIMARY[choice.id] ? "choice" : "choice secondary", choice.label);
      button.type = "button";
      button.dataset.action = choice.id;
      if (reply.ref) { button.dataset.ref = reply.ref; }
      group.appendChild(button);
    });
    parent.appendChild(group);
  }

  function heading(parent, text) {
    var h = el("h3", null, text);
    h.tabIndex = -1;  // a focus target for new replies, not a tab stop
    parent.appendChild(h);
    return h;
  }

  function copyText(text, pre, done) {
    function fallback() {
      var range = document.createRange();
      range.selectNodeContents(pre);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      done(ok);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  }

  function renderRecord(article, reply, n) {
    article.classList.add("record");
    heading(article, reply.title || "Decision record");
    var pre = el("pre", null, reply.text);
    pre.id = "record-" + n;
    pre.tabIndex = 0;
    pre.setAttribute("aria-label", "Decision record text");
    article.appendChild(pre);
    var copy = el("button", "copy", "Copy decision record");
    copy.type = "button";
    var status = el("span", "copy-status");
    status.setAttribute("role", "status");
    copy.addEventListener("click", function () {
      copyText(reply.text, pre, function (ok) {
        status.textContent = ok ? "Copied. Paste it into your case notes."
                                : "Couldn't copy automatically: the text is selected, press Ctrl+C (or Cmd+C) to copy.";
      });
    });
    article.appendChild(copy);
    article.appendChild(status);
    addChoices(article, reply, "Record options");
  }

  function questionsWithRef(ref) {
    return log.querySelectorAll('article[data-ref="' + CSS.escape(ref || "") + '"]');
  }

  /* Only the newest copy of a question keeps its buttons (Explain and Not sure ask it again). */
  function retireChoices(ref) {
    questionsWithRef(ref).forEach(function (article) {
      var group = article.querySelector(".choices");
      if (group) { group.remove(); }
    });
  }

  function applyProgress(reply) {
    var copies = questionsWithRef(reply.ref);
    if (!copies.length) { return; }
    retireChoices(reply.ref);
    var question = copies[copies.length - 1];
    if (!question.querySelector(".answered")) {
      question.appendChild(el("p", "answered", "Your answer: " + reply.answer));
    }
  }

  /* A reply's layers (the law, the checklist, the full record), each folded in a <details>: one tap or
     Enter/Space away, and nothing is lost, because the whole layer is in the page. */
  function addLayers(parent, reply, n) {
    (reply.layers || []).forEach(function (layer, i) {
      var details = el("details", "layer layer-" + layer.id);
      details.appendChild(el("summary", null, layer.label));
      (layer.replies || []).forEach(function (part, j) {
        var box = el("div", "layer-part kind-" + part.kind);
        fill(box, part, n + "-" + i + "-" + j);
        details.appendChild(box);
      });
      parent.appendChild(details);
    });
  }

  /* One reply as an <article>; returns the element to focus first, or null. */
  function render(reply, n) {
    if (reply.kind === "progress") { applyProgress(reply); return null; }
    var article = el("article", "msg bot kind-" + reply.kind);
    article.setAttribute("aria-label", "canishare");
    var focus = fill(article, reply, n);
    log.appendChild(article);
    return focus || article;
  }

  /* Draws one reply into ``article``; returns the element to focus first, or null. */
  function fill(article, reply, n) {
    var focus = null;
    switch (reply.kind) {
      case "question":
        retireChoices(reply.ref);
        article.dataset.ref = reply.ref || "";
        article.appendChild(el("p", "step", "Question " + reply.step + (reply.edition_label ? " · " + reply.edition_label : "")));
        focus = heading(article, reply.text);
        addChoices(article, reply, "Answer");
        break;
      case "outcome":
        article.classList.add("outcome", "outcome-" + reply.outcome);
        article.appendChild(el("p", "outcome-kind", OUTCOME_HEADINGS[reply.outcome] || "Outcome"));
        focus = heading(article, reply.title);
        addText(article, reply.text);
        addLayers(article, reply, n);  // its source, a legal citation, is shown with the law
        break;
      case "quote":
        var figure = el("figure");
        var quote = el("blockquote");
        addText(quote, reply.verbatim ? "\u201c" + reply.text + "\u201d" : reply.text);
        figure.appendChild(quote);
        figure.appendChild(el("figcaption", null, reply.title + (reply.verbatim ? "" : " (in our words)")));
        article.appendChild(figure);
        addSource(article, reply.source);
        break;
      case "answer":
        focus = heading(article, reply.title);
        addText(article, reply.text);
        addSource(article, reply.source);
        addLayers(article, reply, n);
        addChoices(article, reply, "Related");
        break;
      case "record":
        renderRecord(article, reply, n);
        focus = article.querySelector("h3");
        break;
      case "urgent":
        article.classList.add("urgent");
        article.setAttribute("role", "alert");
        focus = heading(article, "Act now");
        addText(article, reply.text);
        break;
      case "contacts":
        article.classList.add("contacts");
        var lines = (reply.contacts || []);
        article.appendChild(el("p", null, "Who to contact:"));
        var ul = el("ul");
        lines.forEach(function (pair) {
          var li = el("li", null, pair[0] + ": ");
          var tel = el("a", null, pair[1]);
          tel.href = "tel:" + String(pair[1]).replace(/[^0-9+]/g, "");
          li.appendChild(tel);
          ul.appendChild(li);
        });
        article.appendChild(ul);
        break;
      case "privacy":
        article.classList.add("privacy");
        addText(article, reply.text);
        addChoices(article, reply, "What should I do with your message?");
        break;
      case "notice":
        if (reply.level === "warning") { article.classList.add("notice-warning"); }
        addText(article, reply.text);
        addChoices(article, reply, "Options");
        break;
      default:  // text, menu and anything newer: plain text and any choices
        addText(article, reply.text);
        addChoices(article, reply, "Options");
    }
    return focus;
  }

  function showUser(text) {
    var article = el("article", "msg user");
    article.setAttribute("aria-label", "You");
    article.appendChild(el("p", null, text));
    log.appendChild(article);
  }

  function showError(text) {
    render({ kind: "notice", level: "warning", text: text, choices: [] }, ++counter);
  }

  function setBusy(on) {
    busy = on;
    log.setAttribute("aria-busy", on ? "true" : "false");
    sendButton.disabled = on;
    if (on) { setStatus("Waiting for canishare…"); }
  }

  function send(payload, echo, moveFocus) {
    if (busy) { return; }
    showUser(echo);
    setBusy(true);
    payload.id = newId();
    fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, data: data };
      });
    }).then(function (result) {
      setBusy(false);
      if (!result.ok) {
        showError(result.data.error || "Sorry, something went wrong. Please try again. If a child may be in danger, call 999.");
        setStatus("canishare could not answer");
        return;
      }
      var first = null;
      (result.data.replies || []).forEach(function (reply) {
        var target = render(reply, ++counter);
        if (!first && target) { first = target; }
      });
      setStatus("canishare replied");
      if (moveFocus && first) {
        if (!first.hasAttribute("tabindex")) { first.tabIndex = -1; }
        first.focus();
      }
      if (first && first.scrollIntoView) { first.scrollIntoView({ block: "nearest" }); }
    }).catch(function () {
      setBusy(false);
      showError("I couldn't reach the server. Check your connection and try again. If a child is in immediate danger, call 999.");
      setStatus("canishare could not be reached");
    });
  }

  /* Messages from the escalation service (a lead picked up or replied): the server cannot push to
     this page, so it asks now and then while the page is in view. Off when escalations are off. */
  var INBOX_EVERY_MS = 20000;
  function pollInbox() {
    if (busy || document.visibilityState !== "visible") {
      window.setTimeout(pollInbox, INBOX_EVERY_MS);
      return;
    }
    fetch("/api/inbox", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: "{}"
    }).then(function (response) {
      return response.ok ? response.json() : { poll: false, messages: [] };
    }).then(function (data) {
      (data.messages || []).forEach(function (text) {
        var article = el("article", "msg bot inbox");
        article.setAttribute("aria-label", "Message about your request to a safeguarding lead");
        article.appendChild(el("p", "step", "About your request to a safeguarding lead"));
        addText(article, text);
        log.appendChild(article);
      });
      if (data.messages && data.messages.length) { setStatus("New message about your request"); }
      if (data.poll) { window.setTimeout(pollInbox, INBOX_EVERY_MS); }
    }).catch(function () {
      window.setTimeout(pollInbox, INBOX_EVERY_MS * 3);
    });
  }
  pollInbox();

  log.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button || busy) { return; }
    var payload = { action: button.dataset.action };
    if (button.dataset.ref) { payload.ref = button.dataset.ref; }
    // Focus follows the conversation when a button was used: the button may be about to go.
    send(payload, button.textContent, true);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) {
      setStatus("Type a message first");
      input.focus();
      return;
    }
    input.value = "";
    // Typing keeps focus in the box; the log announces the answer.
    send({ text: text }, text, false);
  });
})();
