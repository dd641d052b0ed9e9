/* My dates: the card date and overdue feuilles de soins, computed and kept on this device.
   Needs app.js (window.cv) first. */
(function (window, document) {
  'use strict';

  var cv = window.cv;
  if (!cv) {
    return;  // app.js did not load: the page works without this part
  }

  var each = cv.each, hide = cv.hide, show = cv.show, clear = cv.clear, texts = cv.texts, fill = cv.fill;
  var element = cv.element, store = cv.store;

  /* ---------- Days as ISO strings (2026-11-27), counted in UTC so that no clock change moves them. */

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

  /* ---------- The part: forms handled on the device, results drawn from what it keeps. */

  cv.part('dates', function (root) {
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

    function render() {
      var now = today();
      var expected;
      clear(card);
      if (delays[state.method] >= 0 && parseDay(state.sentOn)) {
        expected = addDays(state.sentOn, delays[state.method]);
        card.appendChild(paragraph('', fill(text[state.method === 'online' ? 'appliedOnline' : 'appliedPost'],
          {date: longDate(state.sentOn, lang)})));
        card.appendChild(paragraph('result', fill(text.expected, {date: longDate(expected, lang)}), true));
        card.lastChild.setAttribute('data-expected-on', expected);
        if (now > expected) {
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
        var overdue = now >= due;
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
  });
}(window, document));
