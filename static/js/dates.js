/* My dates: where the card and each feuille de soins stand (the advice of webapp/advice.py, drawn with the
   page's strings as templates/dates.html draws it), computed and kept on this device.
   Needs app.js (window.cv) first. */
(function (window, document) {
  'use strict';

  var cv = window.cv;
  if (!cv) {
    return;  // app.js did not load: the page works without this part
  }

  var each = cv.each, hide = cv.hide, show = cv.show, clear = cv.clear, texts = cv.texts, fill = cv.fill;
  var element = cv.element, store = cv.store;

  // Each change goes into the offline queue of sync.js (sent only once this phone is linked).
  function queue(field, key, value) {
    if (cv.sync) {
      cv.sync.record(field, key, value);
    }
  }

  function newKey() {
    return cv.sync ? cv.sync.key() : '';
  }

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
          year: 'numeric', timeZone: 'UTC'}).replace(/^1 /, lang === 'fr' ? '1er ' : '1 ');  // French: 1er
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
    var cardDays = {
      online: +root.getAttribute('data-card-online-days'),
      post: +root.getAttribute('data-card-post-days')
    };
    var followupDays = +root.getAttribute('data-card-followup-days');
    var claimDays = +root.getAttribute('data-claim-days');
    var phone = root.getAttribute('data-caisse-phone');
    var card = root.querySelector('[data-dates-output=card]');
    var list = root.querySelector('[data-dates-output=claims]');
    var empty = root.querySelector('[data-dates-output=claims-empty]');
    var arrivedForm = root.querySelector('form[data-dates-form=card-arrived]');
    var forgetForm = root.querySelector('form[data-dates-form=clear-application]');
    var state = store.get(key);

    if (!state || typeof state !== 'object') {  // the first time, keep what the server knew
      var applied = card && card.querySelector('[data-method]');
      state = {method: applied ? applied.getAttribute('data-method') : '',
        sentOn: applied ? applied.getAttribute('data-sent-on') : '',
        receivedOn: applied && applied.getAttribute('data-received-on') || '', claims: []};
      each(root.querySelectorAll('[data-claim-id]'), function (item) {
        var id = +item.getAttribute('data-claim-id'), postedOn = item.getAttribute('data-posted-on');
        // the key link_pages.session_changes gives it: the same claim on the server
        state.claims.push({id: id, key: 'nojs-' + id + '-' + postedOn.replace(/-/g, ''), postedOn: postedOn,
          paidOn: item.getAttribute('data-paid-on') || ''});
      });
    }
    state.claims = state.claims || [];
    each(state.claims, function (claim) {
      claim.key = claim.key || newKey();  // a claim kept before claims had keys: its device id for sync
    });
    store.set(key, state);

    /* The advice of webapp/advice.py, from the same delays: the card on_its_way (days left) until it is
       expected, due until call_from (expected + the follow-up delay), late from then, or arrived; a feuille
       waiting until its due day, overdue from then, or paid. */
    function cardAdvice(now) {
      var days = cardDays.hasOwnProperty(state.method) ? cardDays[state.method] : -1;
      var advice = {state: 'not_applied'};
      if (days >= 0 && parseDay(state.sentOn)) {
        advice.expected = addDays(state.sentOn, days);
        advice.callFrom = addDays(advice.expected, followupDays);
        advice.daysLeft = Math.round((dayTime(advice.expected) - dayTime(now)) / DAY);
        advice.state = parseDay(state.receivedOn || '') ? 'arrived' :
          (now < advice.expected ? 'on_its_way' : (now < advice.callFrom ? 'due' : 'late'));
      }
      return advice;
    }

    function claimAdvice(claim, now) {
      var due = addDays(claim.postedOn, claimDays);
      return {due: due, state: parseDay(claim.paidOn || '') ? 'paid' : (now < due ? 'waiting' : 'overdue')};
    }

    function day(iso) {
      return longDate(iso, lang);
    }

    // Words with their placeholders drawn: {phone} as a tel: link to the caisse, {date} in a <bdi> (a long
    // date keeps its own order inside right-to-left words, as on the page the server draws).
    function words(node, template, values) {
      values = values || {};
      String(template || '').split(/(\{\w+\})/).forEach(function (part) {
        var name = /^\{(\w+)\}$/.exec(part), link, number;
        if (!name) {
          if (part) {
            node.appendChild(document.createTextNode(part));
          }
        } else if (name[1] === 'phone') {
          link = element('a');
          link.href = 'tel:' + phone;
          number = element('bdi', null, phone);
          number.dir = 'ltr';
          link.appendChild(number);
          node.appendChild(link);
        } else if (!values.hasOwnProperty(name[1])) {
          node.appendChild(document.createTextNode(part));
        } else {
          node.appendChild(name[1] === 'date' ? element('bdi', null, String(values.date)) :
            document.createTextNode(String(values[name[1]])));
        }
      });
      return node;
    }

    // The plural form of a message for a number: its CLDR category in the page's language (old browsers
    // without Intl.PluralRules: one and other, as in English and French).
    function pluralOf(forms, number) {
      var category = window.Intl && Intl.PluralRules ?
        new Intl.PluralRules(document.documentElement.lang).select(number) : (number === 1 ? 'one' : 'other');
      return forms[category] || forms.other;
    }

    function paragraph(className, template, values, strong) {
      var p = element('p', className);
      words(strong ? p.appendChild(element('strong')) : p, template, values);
      return p;
    }

    function button(label, which, focusKey, onClick) {
      var b = element('button', 'button secondary', label);
      b.type = 'button';
      if (which) {
        b.appendChild(element('span', 'visually-hidden', ' ' + which));
      }
      b.setAttribute('data-focus', focusKey);
      b.addEventListener('click', function () {
        onClick();
        store.set(key, state);
        render(focusKey);
      }, false);
      return b;
    }

    function drawCard(now) {
      var advice = cardAdvice(now);
      var result;
      clear(card);
      if (advice.state === 'not_applied') {
        card.appendChild(paragraph('', text.cardEmpty));
      } else {
        card.appendChild(paragraph('', text[state.method === 'online' ? 'appliedOnline' : 'appliedPost'],
          {date: day(state.sentOn)}));
        if (advice.state === 'arrived') {
          result = card.appendChild(paragraph('result', text.arrived, {date: day(state.receivedOn)}, true));
          card.appendChild(button(text.undo, text.cardArrived, 'card', function () {
            state.receivedOn = '';
            queue('card', null, null);
          }));
        } else {
          result = card.appendChild(paragraph('result', text[advice.state === 'late' ? 'lateExpected' : 'expected'],
            {date: day(advice.expected)}, true));
          result.setAttribute('data-expected-on', advice.expected);
          result.setAttribute('data-call-from', advice.callFrom);
          if (advice.state === 'late') {
            card.appendChild(paragraph('warning', text.late)).setAttribute('data-late', '');
          } else if (advice.state === 'due') {
            card.appendChild(paragraph('', text.due, {date: day(advice.callFrom)}));
          } else {
            card.appendChild(paragraph('', pluralOf(text.daysLeft, advice.daysLeft), {n: advice.daysLeft}));
          }
        }
        result.setAttribute('data-state', advice.state);
      }
      if (forgetForm) {
        show(forgetForm, advice.state !== 'not_applied');
      }
      if (arrivedForm) {
        var shown = advice.state !== 'not_applied' && advice.state !== 'arrived';
        var input = arrivedForm.querySelector('[name=received_on]');
        show(arrivedForm, shown);
        if (shown && input && !input.value) {
          input.value = now;
        }
      }
    }

    function drawClaim(claim, now) {
      var advice = claimAdvice(claim, now);
      var item = element('li', 'claim ' + advice.state);
      var p = paragraph('', text.posted, {date: day(claim.postedOn)});
      var which = fill(text.removeWhich, {date: day(claim.postedOn)});
      var attributes = {'data-claim-id': claim.id, 'data-state': advice.state, 'data-posted-on': claim.postedOn,
        'data-due-on': advice.due};
      var name;
      if (advice.state === 'overdue') {
        attributes['data-overdue'] = '';
        p.appendChild(document.createTextNode(' '));
        words(p.appendChild(element('strong', 'warning')), text.overdue, {date: day(advice.due)});
        words(p, ' ' + text.overdueAdvice);
      } else if (advice.state === 'paid') {
        attributes['data-paid-on'] = claim.paidOn;
        words(p, ' ' + text.paidOn, {date: day(claim.paidOn)});
      } else {
        words(p, ' ' + text.paidBy, {date: day(advice.due)});
      }
      for (name in attributes) {
        if (attributes.hasOwnProperty(name)) {
          item.setAttribute(name, attributes[name]);
        }
      }
      item.appendChild(p);
      item.appendChild(button(advice.state === 'paid' ? text.notPaid : text.paid, which, 'paid-' + claim.id,
        function () {
          claim.paidOn = advice.state === 'paid' ? '' : today();
          queue('claim', claim.key, {posted_on: claim.postedOn, paid_on: claim.paidOn || null});
        }));
      item.appendChild(button(text.remove, which, 'remove-' + claim.id, function () {
        state.claims = state.claims.filter(function (other) {
          return other.id !== claim.id;
        });
        queue('claim', claim.key, null);
      }));
      list.appendChild(item);
    }

    // Draw everything from what the device keeps; then give focus back to the button just used, redrawn.
    function render(focusKey) {
      var now = today();
      var focus;
      drawCard(now);
      clear(list);
      state.claims.sort(function (a, b) {
        return a.postedOn < b.postedOn ? -1 : (a.postedOn > b.postedOn ? 1 : a.id - b.id);
      });
      each(state.claims, function (claim) {
        drawClaim(claim, now);
      });
      if (empty) {
        show(empty, !state.claims.length);
      }
      focus = focusKey && root.querySelector('[data-focus="' + focusKey + '"]');
      if (focus) {
        focus.focus();
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
        queue('application', null, {method: state.method, sent_on: state.sentOn});
      },
      'clear-application': function () {
        state.method = state.sentOn = state.receivedOn = '';
        queue('application', null, null);
      },
      'card-arrived': function (form) {
        var received = form.querySelector('[name=received_on]');
        var bad = dayProblem(received.value);
        if (!problem(form, 'received_on', bad ? text.errors['received_on.' + bad] : '')) {
          return;
        }
        state.receivedOn = parseDay(received.value);
        queue('card', null, {received_on: state.receivedOn});
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
        state.claims.push({id: next + 1, key: newKey(), postedOn: parseDay(posted.value)});
        queue('claim', state.claims[state.claims.length - 1].key, {posted_on: parseDay(posted.value), paid_on: null});
        posted.value = '';
      }
    };

    each(root.querySelectorAll('form[data-dates-form]'), function (form) {
      var action = actions[form.getAttribute('data-dates-form')];
      if (!action) {
        hide(form);  // removing, paid and undo are buttons drawn by render()
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
    if (cv.sync) {
      cv.sync.listen(function () {  // the server's state (SMS included) is in the store
        state = store.get(key);
        render();
      });
    }
    render();
  });
}(window, document));
