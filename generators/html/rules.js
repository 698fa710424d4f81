/* cpc-forms web form rules: skip logic, scores and value checks, with no page behind them.
   Skip logic keeps conditions.py's semantics; scores render the form's ScoringPlan (scoring.py), which holds
   every scoring rule as data. The browser tests compare both with the Python engine on hundreds of answer sets. */
window.cpcRules = function (D, RELEVANT) {
  "use strict";
  var GATES = window.CPC_GATES || {};  // per level code, its required key elements compiled by conditions.py
  var Q = {};
  D.questions.forEach(function (q) { Q[q.id] = q; });
  function answered(v) { return v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0); }

  function isBad(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }

  // --- skip logic: conditions.py semantics --------------------------------------------------------
  // the helper object compiled conditions call (c.in, c.cmp, c.answered), reading answers only where relevant
  function helper(vals, isRelevant) {
    function seen(id) { var v = isRelevant(id) ? vals[id] : null; return isBad(v) ? null : v; }
    return {
      answered: function (id) { return answered(seen(id)); },
      "in": function (id, codes) {
        var v = seen(id);
        if (!answered(v)) { return false; }
        return [].concat(v).some(function (x) { return codes.indexOf(String(x)) >= 0; });
      },
      cmp: function (id, op, value) {
        var v = seen(id), a, b;
        if (!answered(v)) { return false; }
        if (typeof value === "number") {
          a = typeof v === "number" ? v : (String(v).trim() === "" ? NaN : Number(v)); b = value;
          if (isNaN(a)) { return false; }
        } else { a = String(v); b = String(value); }
        switch (op) {
          case "eq": return a === b;
          case "ne": return a !== b;
          case "gt": return a > b;
          case "gte": return a >= b;
          case "lt": return a < b;
          case "lte": return a <= b;
        }
        return false;
      }
    };
  }

  function relevance(vals) {
    var memo = {};
    var c = helper(vals, isRelevant);
    function isRelevant(id) {
      if (!(id in memo)) {
        memo[id] = false;  // a guard only: spec checks refuse cycles
        if (!Q[id]) { return false; }
        memo[id] = RELEVANT[id] ? !!RELEVANT[id](c) : true;
      }
      return memo[id];
    }
    var out = {};
    D.questions.forEach(function (q) { out[q.id] = isRelevant(q.id); });
    return out;
  }

  // --- scoring: renders the form's ScoringPlan (D.scoring, built by scoring.py), whose data hold every rule ---
  var P = D.scoring;
  function has(list, code) { return list.indexOf(String(code)) >= 0; }
  function within(x, b) { return x >= b.low && (b.high === null || x < b.high || (b.closed && x === b.high)); }
  function band(x, bands) { return bands.filter(function (b) { return within(x, b); })[0]; }
  function reaches(x, t) { return t.inclusive ? x >= t.value : x > t.value; }

  function itemScore(item, v, rel) {
    var out = { question: item.question, status: "missing", score: null, max: item.max_points, weight: item.weight };
    function done(status, score) { out.status = status; out.score = score === undefined ? null : score; return out; }
    if (!rel) { return done("not_relevant"); }
    if (!answered(v) || isBad(v)) { return done("missing"); }
    var number, b;
    if (item.kind === "choice") {
      var code = String(v);
      if (Object.prototype.hasOwnProperty.call(item.points, code)) { return done("scored", item.points[code]); }
      return done(has(item.not_applicable, code) ? "not_applicable" : has(item.dont_know, code) ? "dont_know" : "missing");
    }
    if (item.kind === "count") {
      var chosen = [].concat(v).map(String);
      if (chosen.some(function (c) { return has(item.not_applicable, c); })) { return done("not_applicable"); }
      number = item.counted.filter(function (c) { return chosen.indexOf(c) >= 0; }).length;
    } else {
      number = Number(v);
      if (isNaN(number)) { return done("missing"); }
    }
    b = band(number, item.bands);
    return b ? done("scored", b.value) : done("missing");
  }

  function sectionScore(s, answers, rel) {
    var items = s.items.map(function (item) { return itemScore(item, answers[item.question], rel[item.question]); });
    var applicable = items.filter(function (i) { return ["scored", "dont_know", "missing"].indexOf(i.status) >= 0; });
    var got = items.filter(function (i) { return i.status === "scored"; });
    var completeness = applicable.length ? got.length / applicable.length : null;
    var den = got.reduce(function (t, i) { return t + i.weight * i.max; }, 0);
    var num = got.reduce(function (t, i) { return t + i.weight * i.score; }, 0);
    var dk = items.filter(function (i) { return i.status === "dont_know"; });
    var unknown = dk.reduce(function (t, i) { return t + i.weight * i.max; }, 0);
    var score = null, low = null, high = null;
    if (completeness !== null && reaches(completeness, P.completeness) && den > 0) {
      score = 100 * num / den;
      low = 100 * num / (den + unknown);  // had every "don't know" been the worst answer (scoring.bounds)
      high = 100 * (num + unknown) / (den + unknown);  // ... and the best
    }
    return { section: s.section, weight: s.weight, score: score, completeness: completeness,
             answered: got.length, applicable: applicable.length, dont_know: dk.length, low: low, high: high };
  }

  // the level reached: the index's band, or below the lowest level whose key elements are missing (scoring.gated)
  function gated(bandAt, answers, rel) {
    var c = helper(answers, function (id) { return !!rel[id]; }), n;
    for (n = 1; n <= bandAt; n += 1) {
      var gate = GATES[P.levels[n].value];
      if (gate && !gate(c)) { return { level: n - 1, held: n }; }
    }
    return { level: bandAt, held: null };
  }

  function scores(answers, rel) {
    var sections = P.sections.map(function (s) { return sectionScore(s, answers, rel); });
    var have = sections.filter(function (s) { return s.score !== null; });
    var index = null, out = { level: null, band: null, held: null }, at, g;
    if (have.length >= P.min_sections) {
      index = have.reduce(function (t, s) { return t + s.weight * s.score; }, 0) /
              have.reduce(function (t, s) { return t + s.weight; }, 0);
      at = P.levels.indexOf(band(index, P.levels));
      if (at >= 0) {
        g = gated(at, answers, rel);
        out = { level: P.levels[g.level].value, band: P.levels[at].value,
                held: g.held === null ? null : P.levels[g.held].value };
      }
    }
    return { sections: sections, index: index, level: out.level, band: out.band, held: out.held };
  }

  // half away from zero, to one decimal, on the shortest decimal form of the number (as scoring.display)
  function display(x) {
    if (x === null) { return ""; }
    var s = String(Math.abs(x));
    if (s.indexOf("e") >= 0) { s = Math.abs(x) < 1 ? "0" : BigInt(Math.round(Math.abs(x))).toString(); }  // exponent forms: far below 0.05 or whole
    var parts = s.split("."), frac = (parts[1] || "") + "00";
    var tenths = Number(parts[0]) * 10 + Number(frac[0]) + (frac[1] >= "5" ? 1 : 0);
    return (x < 0 && tenths ? "-" : "") + Math.floor(tenths / 10) + "." + (tenths % 10);
  }

  // --- validation ---------------------------------------------------------------------------------
  var EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

  function isDate(v) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    if (!m) { return false; }
    var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
  }

  function problem(q, v) {
    if (isBad(v)) { return "constraint"; }
    if (!answered(v)) { return q.required ? "required" : null; }
    if (q.kind === "integer" || q.kind === "decimal") {
      if ((q.min !== null && v < q.min) || (q.max !== null && v > q.max) ||
          (q.kind === "integer" && !Number.isInteger(v))) { return "constraint"; }
    } else if (q.kind === "date") {
      if (!isDate(v)) { return "constraint"; }
    } else if (q.kind === "text") {
      if ((q.max_length && Array.from(v).length > q.max_length) || (q.email && !EMAIL.test(v))) { return "constraint"; }
    }
    return null;
  }

  function problems(vals, rel) {
    var out = {};
    D.questions.forEach(function (q) {
      var p = rel[q.id] ? problem(q, vals[q.id]) : null;
      if (p) { out[q.id] = p; }
    });
    return out;
  }

  return { answered: answered, isBad: isBad, relevance: relevance, scores: scores, display: display,
           problems: problems };
};
