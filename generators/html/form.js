/* cpc-forms web form runtime: the page around the rules (rules.js): controls, errors, live scores,
   languages, draft, download and submit. Everything form-specific comes from the JSON data block and
   window.CPC_RELEVANT, both generated from the spec. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("cpc-data").textContent);
  var R = window.cpcRules(D, window.CPC_RELEVANT || {});
  var answered = R.answered, isBad = R.isBad, relevance = R.relevance, scores = R.scores, display = R.display,
      problems = R.problems;
  var Q = {};
  D.questions.forEach(function (q) { Q[q.id] = q; });
  var form = document.getElementById("cpc-form");
  var lang = D.language;
  var KEY = "cpc-forms:" + D.form_id + ":" + D.form_version;
  var meta = { instance_id: null, started: null, edit_token: null };
  var shown = {};       // question id -> true once its errors may be shown
  var lastProblems = {};

  function $(id) { return document.getElementById(id); }
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }
  // Errors and scores are live regions (aria-live, <output>): writing the same text again would make a
  // screen reader announce it again on every keystroke, so only a change is written.
  function show(el, value) { if (el.textContent !== value) { el.textContent = value; } }
  // A figure ("62.3", "-1.5", "3 / 5") reads left to right in an Arabic page too; a word in its place
  // ("not yet") takes the page's direction.
  function figure(el, number, word) {
    if (number === null) { el.removeAttribute("dir"); show(el, word); } else { el.dir = "ltr"; show(el, number); }
  }

  function text(key) {
    var v = D.texts[key];
    if (v === undefined) { return ""; }
    return typeof v === "string" ? v : v[D.languages.indexOf(lang)];
  }

  // --- reading the controls --------------------------------------------------------------------
  function control(q) { return $("i-" + q.id) || $("q-" + q.id).querySelector("input"); }

  function read(q) {
    var box = $("q-" + q.id);
    if (q.widget === "radio") { var r = box.querySelector("input:checked"); return r ? r.value : null; }
    if (q.widget === "checkbox") {
      var codes = [];
      each(box.querySelectorAll("input:checked"), function (i) { codes.push(i.value); });
      return codes.length ? codes : null;
    }
    var el = $("i-" + q.id);
    if (q.widget === "number") {
      if (el.validity.badInput) { return { bad: el.value }; }
      return el.value.trim() === "" ? null : Number(el.value);
    }
    var v = el.value.trim();
    return v === "" ? null : v;
  }

  function values() {
    var out = {};
    D.questions.forEach(function (q) { out[q.id] = read(q); });
    return out;
  }

  function write(q, v) {
    var box = $("q-" + q.id);
    if (q.widget === "radio" || q.widget === "checkbox") {
      var list = v === null || v === undefined ? [] : [].concat(v).map(String);
      each(box.querySelectorAll("input"), function (i) { i.checked = list.indexOf(i.value) >= 0; });
    } else {
      $("i-" + q.id).value = v === null || v === undefined || typeof v === "object" ? "" : String(v);
    }
  }

  function message(id, kind) { return text("m:" + kind + ":" + id) || text("m:" + kind); }

  function showErrors(found) {
    lastProblems = found;
    D.questions.forEach(function (q) {
      var kind = found[q.id], visible = kind && (shown[q.id] || kind === "constraint");
      show($("e-" + q.id), visible ? message(q.id, kind) : "");
      $("q-" + q.id).classList.toggle("invalid", !!visible);
      var target = q.widget === "radio" || q.widget === "checkbox" ? null : $("i-" + q.id);
      if (target) {
        if (visible) { target.setAttribute("aria-invalid", "true"); } else { target.removeAttribute("aria-invalid"); }
      }
    });
  }

  function summarise(found, blocking) {
    var box = $("cpc-summary");
    box.textContent = "";
    var ids = D.questions.map(function (q) { return q.id; }).filter(function (id) { return blocking(found[id]); });
    if (!ids.length) { box.hidden = true; return true; }
    var p = document.createElement("p"), ul = document.createElement("ul");
    p.textContent = text("u:summary");
    ids.forEach(function (id) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = "#q-" + id;
      var parts = { question: text("q:" + id), message: message(id, found[id]) };
      a.textContent = text("u:problem").replace(/\{(question|message)\}/g, function (m, k) { return parts[k]; });
      a.addEventListener("click", function (e) { e.preventDefault(); control(Q[id]).focus(); });
      li.appendChild(a); ul.appendChild(li);
    });
    box.appendChild(p); box.appendChild(ul);
    box.hidden = false;
    box.focus();
    return false;
  }

  // --- the page -----------------------------------------------------------------------------------
  function collect() {
    var vals = values(), rel = relevance(vals), answers = {};
    D.questions.forEach(function (q) {
      if (rel[q.id] && answered(vals[q.id]) && !isBad(vals[q.id])) { answers[q.id] = vals[q.id]; }
    });
    return { values: vals, relevant: rel, answers: answers };
  }

  // after-submit: scores appear once the return is sent or saved, so the perceived level is judged without them
  var finished = D.live_scores === "live";

  function showScores(state) {
    if (!$("cpc-scores")) { return; }
    $("cpc-scores").hidden = !finished;
    if (!finished) { return; }
    var result = scores(state.answers, state.relevant);
    result.sections.forEach(function (s) {
      var out = $("score-" + s.section);
      out.setAttribute("data-value", s.score === null ? "" : String(s.score));
      figure(out, s.score !== null ? display(s.score) : null, text(s.completeness === null ? "u:no_score" : "u:insufficient"));
      figure($("done-" + s.section), s.applicable ? s.answered + " / " + s.applicable : null, "");
    });
    var idx = $("score-index"), lv = $("score-level");
    idx.setAttribute("data-value", result.index === null ? "" : String(result.index));
    figure(idx, result.index === null ? null : display(result.index), text("u:no_score"));
    lv.setAttribute("data-level", result.level || "");
    show(lv, result.level ? text("l:" + result.level) : text("u:no_score"));
  }

  function update() {
    var state = collect();
    D.questions.forEach(function (q) { $("q-" + q.id).hidden = !state.relevant[q.id]; });
    D.sections.forEach(function (s) {
      var rel = s.questions.filter(function (id) { return state.relevant[id]; });
      var done = rel.filter(function (id) { return id in state.answers; });
      $("s-" + s.id).hidden = rel.length === 0;
      var bar = $("p-" + s.id);
      bar.max = rel.length || 1; bar.value = done.length;
      show($("n-" + s.id), done.length + " / " + rel.length);
    });
    showErrors(problems(state.values, state.relevant));
    showScores(state);
    return state;
  }

  function nested(answers) {
    var out = {};
    D.sections.forEach(function (s) {
      s.questions.forEach(function (id) {
        if (id in answers) { (out[s.id] = out[s.id] || {})[id] = answers[id]; }
      });
    });
    return out;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function isoNow() {
    var d = new Date(), off = -d.getTimezoneOffset(), sign = off >= 0 ? "+" : "-";
    off = Math.abs(off);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" +
      pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + sign + pad(Math.floor(off / 60)) + ":" + pad(off % 60);
  }
  function uuid4() {
    var b = crypto.getRandomValues(new Uint8Array(16)), h = [];
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    for (var i = 0; i < 16; i++) { h.push((b[i] + 0x100).toString(16).slice(1)); }
    h = h.join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function newInstance() { meta.instance_id = "uuid:" + uuid4(); meta.started = isoNow(); meta.edit_token = null; }

  function envelope() {
    return { form_id: D.form_id, form_version: D.form_version, language: lang, instance_id: meta.instance_id,
             started: meta.started, submitted: isoNow(), answers: nested(collect().answers) };
  }

  function save() {
    var vals = values();
    D.questions.forEach(function (q) { if (isBad(vals[q.id]) || vals[q.id] === null) { delete vals[q.id]; } });
    try {
      localStorage.setItem(KEY, JSON.stringify({ values: vals, language: lang, instance_id: meta.instance_id,
                                                  started: meta.started, edit_token: meta.edit_token }));
    } catch (e) { /* storage full or disabled: the form still works, without a draft */ }
  }

  function restore() {
    var draft = null;
    try { draft = JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { draft = null; }
    if (!draft || !draft.instance_id) { newInstance(); return false; }
    meta.instance_id = draft.instance_id; meta.started = draft.started; meta.edit_token = draft.edit_token || null;
    Object.keys(draft.values || {}).forEach(function (id) { if (Q[id]) { write(Q[id], draft.values[id]); } });
    if (draft.language && D.languages.indexOf(draft.language) >= 0) { setLanguage(draft.language); }
    return true;
  }

  // The status line names its text by key, so a language switched to writes it again in that language. A reference
  // or the server's own words inside go in <bdi>: a number or an English sentence inside an Arabic message keeps
  // its own direction and does not reorder the words around it.
  var said = [null];
  function status(key, id, words) {
    var box = $("cpc-status"), parts = key ? text(key).split("{id}") : [];
    said = [key, id, words];
    box.textContent = "";
    parts.forEach(function (part, n) {
      if (n > 0) { bdi(box, id); }
      box.appendChild(document.createTextNode(part));
    });
    if (words !== undefined && words !== null) { box.appendChild(document.createTextNode(" ")); bdi(box, words); }
  }
  function bdi(box, value) {
    var el = document.createElement("bdi");
    el.textContent = String(value);
    box.appendChild(el);
  }

  // A list of names (countries) is shown in the alphabetical order of the language on screen: its choices are
  // moved, not rebuilt, so what is chosen and what the search filter hides stay as they are.
  function reorder(el) {
    var order = (D.orders || {})[el.getAttribute("data-list")];
    if (!order) { return; }
    var at = {};
    each(el.querySelectorAll("option, input"), function (o) { if (o.value) { at[o.value] = o.tagName === "OPTION" ? o : o.parentNode; } });
    order[D.languages.indexOf(lang)].forEach(function (code) { at[code].parentNode.appendChild(at[code]); });
  }

  function setLanguage(code) {
    lang = code;
    document.documentElement.lang = code;
    document.documentElement.dir = D.directions[D.languages.indexOf(code)];
    each(document.querySelectorAll("[data-t]"), function (el) { el.textContent = text(el.getAttribute("data-t")); });
    each(document.querySelectorAll("[data-list]"), function (el) {
      var prefix = "c:" + el.getAttribute("data-list") + ":";
      each(el.querySelectorAll("option, input"), function (o) {
        if (o.value) { (o.tagName === "OPTION" ? o : o.nextElementSibling).textContent = text(prefix + o.value); }
      });
      reorder(el);
    });
    each(document.querySelectorAll("[data-t-label]"), function (el) { el.setAttribute("aria-label", text(el.getAttribute("data-t-label"))); });
    each(document.querySelectorAll("[data-t-placeholder]"), function (el) { el.placeholder = text(el.getAttribute("data-t-placeholder")); });
    if ($("cpc-lang")) { $("cpc-lang").value = code; }
    status(said[0], said[1], said[2]);
    var state = update();
    if (!$("cpc-summary").hidden) { summarise(problems(state.values, state.relevant), function (k) { return !!k && (shown.all || k === "constraint"); }); }
  }

  function attempt(blockingKinds) {
    var state = update();
    var found = problems(state.values, state.relevant);
    if (blockingKinds.indexOf("required") >= 0) { shown.all = true; D.questions.forEach(function (q) { shown[q.id] = true; }); }
    showErrors(found);
    return summarise(found, function (k) { return !!k && blockingKinds.indexOf(k) >= 0; });
  }

  function download() {
    if (!attempt(["constraint"])) { return; }
    var blob = new Blob([JSON.stringify(envelope(), null, 2)], { type: "application/json" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = D.form_id + "-" + meta.instance_id.slice(5, 13) + ".json";
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
    status("u:downloaded");
    finished = true; showScores(collect());
  }

  function submit(e) {
    e.preventDefault();
    if (!D.submit_url || !attempt(["constraint", "required"])) { return; }
    status("u:sending");
    // the server gave an edit token at the first submission: only a sender that has it may change the answers
    var sent = envelope();
    if (meta.edit_token) { sent.edit_token = meta.edit_token; }
    fetch(D.submit_url, { method: "POST", headers: { "Content-Type": "application/json" },
                          body: JSON.stringify(sent) })
      .then(function (res) {
        return res.text().then(function (body) {
          var words = body, reply = {};
          try { reply = JSON.parse(body); words = reply.message || body; } catch (err) { /* plain text answer */ }
          // the server's word in the page's own language when it says which case this was
          var known = reply.status && text("u:sent_" + reply.status) ? "u:sent_" + reply.status : "";
          if (res.ok) {
            if (reply.edit_token) { meta.edit_token = reply.edit_token; }
            localStorage.removeItem(KEY);
            finished = true; showScores(collect());
            if (known) { status(known, reply.id); } else { status("u:sent", null, words); }
          }
          else { status("u:send_failed", null, res.status + " " + words); }
        });
      })
      .catch(function () { status("u:offline"); });
  }

  function startOver() {
    if (!window.confirm(text("u:confirm_start_over"))) { return; }
    try { localStorage.removeItem(KEY); } catch (e) { /* nothing stored */ }
    form.reset();
    shown = {};
    $("cpc-summary").hidden = true;
    newInstance();
    update();
    status(null);
  }

  function filter(input) {
    var select = $(input.getAttribute("aria-controls")), needle = input.value.trim().toLowerCase();
    each(select.options, function (o) { o.hidden = !!o.value && needle !== "" && o.textContent.toLowerCase().indexOf(needle) < 0; });
  }

  function changed(e) {
    var box = e.target.closest ? e.target.closest(".q") : null;
    if (box && e.type === "change") { shown[box.id.slice(2)] = true; }
    update();
    save();
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", function (e) {
    if (e.target.classList.contains("filter")) { filter(e.target); return; }
    changed(e);
  });
  form.addEventListener("submit", submit);
  $("cpc-download").addEventListener("click", download);
  $("cpc-print").addEventListener("click", function () { window.print(); });
  $("cpc-reset").addEventListener("click", startOver);
  if ($("cpc-lang")) { $("cpc-lang").addEventListener("change", function (e) { setLanguage(e.target.value); save(); }); }

  var restored = restore();
  update();
  if (restored) { status("u:restored"); }

  // read-only hooks for tests and the hosting server: the same rules the page applies
  window.cpcForm = {
    relevance: relevance,
    scores: function (answers) { return scores(answers, relevance(answers)); },
    display: display,
    envelope: envelope,
    state: function () { var st = collect(); return { answers: st.answers, scores: scores(st.answers, st.relevant) }; },
    problems: function () { return lastProblems; }
  };
}());
