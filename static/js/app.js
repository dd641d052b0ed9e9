/* Progressive enhancement of the carte Vitale pages: each part only touches elements marked
   data-enhance="…", and every page works without it. ES5, feature-detected, no framework.
   User-visible strings come from the page (a <script type="application/json" data-text> block). */
(function (window, document) {
  'use strict';

  var CV = window.CarteVitale = {};

  /* ---------- The social security number (NIR) check: pure functions, tested against python-stdnum. */

  // Spaces (any kind) and dots may separate the groups of digits; letters count in upper case.
  function compactNir(raw) {
    return String(raw || '').replace(/[\s.]/g, '').toUpperCase();
  }

  // Is character `c` allowed at position `i` of `number` (typed so far)? 2A/2B only for Corsica (6th-7th).
  function allowedAt(number, i) {
    var c = number.charAt(i);
    if (/[0-9]/.test(c)) {
      return true;
    }
    return i === 6 && number.charAt(5) === '2' && (c === 'A' || c === 'B');
  }

  // The key of a 15-character number: 97 - (the first 13 digits mod 97), 2A read as 19, 2B as 18.
  function nirKey(number) {
    var department = number.slice(5, 7);
    var digits = number.slice(0, 13);
    if (department === '2A') {
      digits = number.slice(0, 5) + '19' + number.slice(7, 13);
    } else if (department === '2B') {
      digits = number.slice(0, 5) + '18' + number.slice(7, 13);
    }
    var key = 97 - (parseInt(digits, 10) % 97);  // 13 digits stay exact in a double
    return (key < 10 ? '0' : '') + key;
  }

  /* What a typed number is: status is one of empty, chars (a character not allowed), long, short,
     key (wrong key), valid (format and key right); `checksum` is what python-stdnum's
     stdnum.fr.nir.is_valid says; `valid` also needs the first digit to be 1 or 2. */
  function checkNir(raw) {
    var number = compactNir(raw);
    var result = {number: number, length: number.length, first: number.charAt(0), status: 'valid',
      checksum: false, valid: false};
    var i;
    if (!number) {
      result.status = 'empty';
      return result;
    }
    for (i = 0; i < number.length; i += 1) {
      if (!allowedAt(number, i)) {
        result.status = 'chars';
        return result;
      }
    }
    if (number.length > 15) {
      result.status = 'long';
    } else if (number.length < 15) {
      result.status = 'short';
    } else if (nirKey(number) !== number.slice(13)) {
      result.status = 'key';
    }
    result.checksum = result.status === 'valid';
    result.valid = result.checksum && (result.first === '1' || result.first === '2');
    return result;
  }

  CV.compactNir = compactNir;
  CV.nirKey = nirKey;
  CV.checkNir = checkNir;

  /* ---------- Helpers. */

  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }

  function hide(element) {
    element.hidden = true;
    element.style.display = 'none';  // for browsers that ignore the hidden attribute
  }

  function show(element, visible) {
    element.hidden = !visible;
    element.style.display = visible ? '' : 'none';
  }

  // The translated strings a part needs, rendered by the server inside its element.
  function texts(root) {
    var block = root.querySelector('script[data-text]');
    try {
      return block ? JSON.parse(block.textContent) : {};
    } catch (error) {
      return {};
    }
  }

  function fill(template, values) {
    return String(template || '').replace(/\{(\w+)\}/g, function (all, name) {
      return values.hasOwnProperty(name) ? values[name] : all;
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.appendChild(document.createTextNode(text));
    }
    return node;
  }

  // localStorage when it works (it throws in some private modes; then the page stays server-backed).
  var store = (function () {
    try {
      var probe = '__cv__';
      window.localStorage.setItem(probe, probe);
      window.localStorage.removeItem(probe);
      return {
        get: function (key) {
          try {
            return JSON.parse(window.localStorage.getItem(key));
          } catch (error) {
            return null;
          }
        },
        set: function (key, value) {
          window.localStorage.setItem(key, JSON.stringify(value));
        }
      };
    } catch (error) {
      return null;
    }
  }());

  CV.parts = {};

  /* ---------- Number checker: an input outside every form, with no name: it can never be sent. */

  CV.parts['nir-check'] = function (mount) {
    var text = texts(mount);
    var id = 'nir-input';
    var field = element('div', 'field');
    var label = element('label', null, text.label);
    var hint = element('p', 'hint', text.hint);
    var input = document.createElement('input');
    var result = element('div', 'nir-result');
    label.htmlFor = id;
    hint.id = id + '-hint';
    input.id = id;
    input.type = 'text';
    input.setAttribute('inputmode', 'numeric');
    input.setAttribute('autocomplete', 'off');
    input.setAttribute('autocapitalize', 'characters');
    input.setAttribute('spellcheck', 'false');
    input.setAttribute('aria-describedby', hint.id);
    result.setAttribute('role', 'status');
    result.setAttribute('aria-live', 'polite');
    field.appendChild(label);
    field.appendChild(hint);
    field.appendChild(input);
    field.appendChild(result);
    mount.appendChild(field);

    function say(lines) {
      while (result.firstChild) {
        result.removeChild(result.firstChild);
      }
      each(lines, function (line) {
        if (line[1]) {
          result.appendChild(element('p', line[0], line[1]));
        }
      });
    }

    function firstDigit(check) {
      if (check.first === '1' || check.first === '2') {
        return text['first' + check.first];
      }
      if (check.first === '7' || check.first === '8') {
        return text.firstOld;
      }
      return /[0-9]/.test(check.first) ? text.firstOther : '';
    }

    function update() {
      var check = checkNir(input.value);
      var verdict = {
        empty: '',
        chars: text.chars,
        'long': text.tooLong,
        short: fill(text.count, {count: check.length}),
        key: text.key,
        valid: check.valid ? text.valid : text.firstOther
      }[check.status];
      var kind = check.valid ? 'nir-ok' : (check.status === 'short' ? 'nir-progress' : 'nir-error');
      input.setAttribute('aria-invalid', check.status === 'chars' || check.status === 'long' ||
        check.status === 'key' || (check.checksum && !check.valid) ? 'true' : 'false');
      var first = check.status === 'empty' || verdict === firstDigit(check) ? '' : firstDigit(check);
      say([[kind, verdict], ['nir-first', first],
        ['nir-note', check.valid ? text.temporary : '']]);
    }

    input.addEventListener('input', update, false);
    input.addEventListener('keyup', update, false);  // old browsers without the input event
  };

  /* ---------- Checklist: ticks saved on this device at once, no reload, no submit button. */

  CV.parts.checklist = function (form) {
    if (!store) {
      return;  // no storage: the form keeps posting to the server
    }
    var key = 'cv.checklist';
    var boxes = form.querySelectorAll('input[type=checkbox][name=done]');
    var status = element('p', 'visually-hidden');
    var saved = store.get(key);

    function save() {
      var done = [];
      each(boxes, function (box) {
        if (box.checked) {
          done.push(box.value);
        }
      });
      store.set(key, {done: done});
    }

    if (saved && saved.done && saved.done.length !== undefined) {
      each(boxes, function (box) {
        box.checked = saved.done.indexOf(box.value) !== -1;
      });
    } else {
      save();  // the first time, keep what the server knew (ticks made without JavaScript)
    }
    each(form.querySelectorAll('[type=submit]'), hide);
    status.setAttribute('role', 'status');
    form.appendChild(status);
    form.addEventListener('change', function (event) {
      if (event.target.name === 'done') {
        save();
        status.textContent = '';
        status.textContent = form.getAttribute('data-saved-text') || '';
      }
    }, false);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      save();
    }, false);
  };

  /* ---------- My dates: card date and overdue feuilles de soins, computed and kept on this device. */

  var DAY = 86400000;

  function isoDay(time) {
    var d = new Date(time);
    function two(n) {
      return (n < 10 ? '0' : '') + n;
    }
    return d.getUTCFullYear() + '-' + two(d.getUTCMonth() + 1) + '-' + two(d.getUTCDate());
  }

  function dayTime(iso) {
    var parts = iso.split('-');
    return Date.UTC(+parts[0], +parts[1] - 1, +parts[2]);
  }

  function today() {
    var now = new Date();
    return isoDay(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()));
  }

  function addDays(iso, days) {
    return isoDay(dayTime(iso) + days * DAY);
  }

  // A day typed as 27/11/2026 (or 27-11-2026, 27.11.2026) or given as 2026-11-27 by a date input.
  function parseDay(text) {
    var m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(text || '');
    var y, mo, d, time;
    if (m) {
      y = +m[1]; mo = +m[2]; d = +m[3];
    } else {
      m = /^\s*(\d{1,2})\s*[\/.\-]\s*(\d{1,2})\s*[\/.\-]\s*(\d{4})\s*$/.exec(text || '');
      if (!m) {
        return null;
      }
      d = +m[1]; mo = +m[2]; y = +m[3];
    }
    time = new Date(Date.UTC(y, mo - 1, d));  // 31/02 rolls over to March: not a real day
    return time.getUTCFullYear() === y && time.getUTCMonth() === mo - 1 && time.getUTCDate() === d ?
      isoDay(time.getTime()) : null;
  }

  // Why a typed day cannot be used ('missing', 'invalid', 'future'), or '' when it can.
  function dayProblem(text) {
    var day = parseDay(text);
    if (!String(text || '').replace(/\s/g, '')) {
      return 'missing';
    }
    if (!day || day < '2000-01-01') {
      return 'invalid';
    }
    return day > today() ? 'future' : '';
  }

  function longDate(iso, lang) {
    try {
      if (window.Intl && Intl.DateTimeFormat) {
        return new Date(dayTime(iso)).toLocaleDateString(lang, {day: 'numeric', month: 'long',
          year: 'numeric', timeZone: 'UTC'});
      }
    } catch (error) {
      // an unknown language or time zone: fall through
    }
    return iso.split('-').reverse().join('/');
  }

  CV.parseDay = parseDay;
  CV.addDays = addDays;

  CV.parts.dates = function (root) {
    if (!store) {
      return;
    }
    var key = 'cv.dates';
    var text = texts(root);
    var lang = document.documentElement.lang || 'fr';
    var delays = {
      online: +root.getAttribute('data-card-online-days'),
      post: +root.getAttribute('data-card-post-days'),
      claim: +root.getAttribute('data-claim-days')
    };
    var card = root.querySelector('[data-dates-output=card]');
    var list = root.querySelector('[data-dates-output=claims]');
    var empty = root.querySelector('[data-dates-output=claims-empty]');
    var state = store.get(key);

    if (!state || typeof state !== 'object') {  // the first time, keep what the server knew
      var applied = card && card.querySelector('[data-method]');
      state = {method: applied ? applied.getAttribute('data-method') : '',
        sentOn: applied ? applied.getAttribute('data-sent-on') : '', claims: []};
      each(root.querySelectorAll('[data-claim-id]'), function (item) {
        state.claims.push({id: +item.getAttribute('data-claim-id'), postedOn: item.getAttribute('data-posted-on')});
      });
      store.set(key, state);
    }
    state.claims = state.claims || [];

    function paragraph(className, words, strong) {
      var p = element('p', className);
      p.appendChild(strong ? element('strong', null, words) : document.createTextNode(words));
      return p;
    }

    function button(label, onClick) {
      var b = element('button', 'button secondary', label);
      b.type = 'button';
      b.addEventListener('click', onClick, false);
      return b;
    }

    function clear(node) {
      while (node.firstChild) {
        node.removeChild(node.firstChild);
      }
    }

    function render() {
      var expected;
      clear(card);
      if (delays[state.method] >= 0 && parseDay(state.sentOn)) {
        expected = addDays(state.sentOn, delays[state.method]);
        card.appendChild(paragraph('', fill(text[state.method === 'online' ? 'appliedOnline' : 'appliedPost'],
          {date: longDate(state.sentOn, lang)})));
        card.appendChild(paragraph('result', fill(text.expected, {date: longDate(expected, lang)}), true));
        card.lastChild.setAttribute('data-expected-on', expected);
        if (today() > expected) {
          card.appendChild(paragraph('warning', text.late));
        }
        card.appendChild(button(text.forget, function () {
          state.method = state.sentOn = '';
          store.set(key, state);
          render();
        }));
      } else {
        card.appendChild(paragraph('', text.cardEmpty));
      }
      clear(list);
      state.claims.sort(function (a, b) {
        return a.postedOn < b.postedOn ? -1 : (a.postedOn > b.postedOn ? 1 : a.id - b.id);
      });
      each(state.claims, function (claim) {
        var due = addDays(claim.postedOn, delays.claim);
        var overdue = today() >= due;
        var item = element('li', 'claim' + (overdue ? ' overdue' : ''));
        var p = paragraph('', fill(text.posted, {date: longDate(claim.postedOn, lang)}) + ' ');
        var remove = button(text.remove, function () {
          state.claims = state.claims.filter(function (other) {
            return other.id !== claim.id;
          });
          store.set(key, state);
          render();
        });
        item.setAttribute('data-claim-id', claim.id);
        item.setAttribute('data-due-on', due);
        if (overdue) {
          item.setAttribute('data-overdue', '');
          p.appendChild(element('strong', 'warning', text.overdue));
        } else {
          p.appendChild(document.createTextNode(fill(text.paidBy, {date: longDate(due, lang)})));
        }
        remove.appendChild(element('span', 'visually-hidden', ' ' + fill(text.removeWhich,
          {date: longDate(claim.postedOn, lang)})));
        item.appendChild(p);
        item.appendChild(remove);
        list.appendChild(item);
      });
      if (empty) {
        show(empty, !state.claims.length);
      }
    }

    // Say what is wrong next to the field (and to screen readers); '' clears it.
    function problem(form, field, message) {
      var input = form.querySelector('[name=' + field + ']');
      var note = form.querySelector('[data-js-error]');
      if (!note && !message) {
        return true;
      }
      if (!note) {
        note = element('p', 'error-message');
        note.setAttribute('data-js-error', '');
        note.setAttribute('role', 'alert');
        form.insertBefore(note, form.querySelector('[type=submit]'));
      }
      note.textContent = message || '';
      show(note, !!message);
      if (input) {
        input.setAttribute('aria-invalid', message ? 'true' : 'false');
        if (message) {
          input.focus();
        }
      }
      return !message;
    }

    var actions = {
      application: function (form) {
        var method = form.querySelector('[name=method]:checked');
        var sent = form.querySelector('[name=sent_on]');
        var bad = dayProblem(sent.value);
        if (!problem(form, 'method', method ? '' : text.errors['method.missing']) ||
            !problem(form, 'sent_on', bad ? text.errors['sent_on.' + bad] : '')) {
          return;
        }
        state.method = method.value;
        state.sentOn = parseDay(sent.value);
      },
      'add-claim': function (form) {
        var posted = form.querySelector('[name=posted_on]');
        var bad = dayProblem(posted.value);
        var next = 0;
        if (!problem(form, 'posted_on', bad ? text.errors['posted_on.' + bad] : '')) {
          return;
        }
        each(state.claims, function (claim) {
          next = Math.max(next, claim.id);
        });
        state.claims.push({id: next + 1, postedOn: parseDay(posted.value)});
        posted.value = '';
      }
    };

    each(root.querySelectorAll('form[data-dates-form]'), function (form) {
      var action = actions[form.getAttribute('data-dates-form')];
      if (!action) {
        hide(form);  // removing and forgetting are buttons drawn by render()
        return;
      }
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        action(form);
        store.set(key, state);
        render();
      }, false);
    });
    var summary = document.querySelector('[data-error-summary]');
    if (summary) {
      hide(summary);  // the server's errors are about a post this page no longer makes
    }
    each(root.querySelectorAll('.field-error'), function (field) {
      field.className = field.className.replace(/\bfield-error\b/, '');
      each(field.querySelectorAll('.error-message'), hide);
    });
    var radio = root.querySelector('[name=method][value="' + state.method + '"]');
    var sentInput = root.querySelector('[name=sent_on]');
    if (radio) {
      radio.checked = true;
    }
    if (sentInput && state.sentOn) {
      sentInput.value = state.sentOn;
    }
    render();
  };

  /* ---------- Start: register the service worker, enhance every marked element. */

  function start() {
    each(document.querySelectorAll('[data-enhance]'), function (node) {
      var part = CV.parts[node.getAttribute('data-enhance')];
      if (part && !node.getAttribute('data-enhanced')) {
        node.setAttribute('data-enhanced', 'true');
        part(node);
      }
    });
    var script = document.querySelector('script[data-sw]');
    if (script && 'serviceWorker' in navigator) {
      navigator.serviceWorker.register(script.getAttribute('data-sw'))['catch'](function () {
        // No offline copy this time; the page works anyway.
      });
    }
  }

  CV.store = store;
  CV.start = start;
  if (!document.querySelector || !window.JSON || !document.addEventListener) {
    return;
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start, false);
  } else {
    start();
  }
}(window, document));
