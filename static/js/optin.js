/* The opt-in of /reminders as JSON: the number form posts to /api/v1/optin and the code step shows in place;
   the code goes to /api/v1/optin/confirm and the token to the offline queue (cv.sync.link). Errors show as the
   forms show them. Without IndexedDB (no cv.sync) the forms post as they do without JavaScript. ES5. */
(function (window, document) {
  'use strict';

  var cv = window.cv;
  if (!cv || !cv.sync) {
    return;
  }

  cv.part('optin', function (root) {
    var text = cv.texts(root), main = document.getElementById('main'), form = root.previousElementSibling;
    var first = document.title, title = first, lead = main.querySelector('.lead'), phone = '', sending = false;

    function post(path, body) {
      return window.fetch(path, {method: 'POST', credentials: 'omit', cache: 'no-store',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)}).then(function (response) {
        return response.json().then(function (json) {
          json.status = response.status;
          json.wait = parseInt(response.headers.get('Retry-After'), 10) || 60;
          return json;
        });
      });
    }

    // The API's {code, field} as the forms' message: {field: message}.
    function refused(answer, field) {
      var n = answer.code === 'rate_limited' ? Math.max(1, Math.ceil(answer.wait / 60))
        : parseInt((/\d+/.exec(answer.message) || [1])[0], 10);  // wrong_code: "N tries left."
      var known = answer.code !== 'busy' && text.hasOwnProperty(answer.code);
      var message = text[known ? answer.code : field === 'code' ? 'checkFailed' : 'busy'], shown = {};
      shown[field] = typeof message === 'string' ? message : cv.fill(message[n === 1 ? 0 : 1], {n: n});
      return shown;
    }

    // The GOV.UK error summary and each field's message, as templates/reminders*.html draw them.
    function show(errors) {
      var summary = cv.element('div', 'error-summary'), list = cv.element('ul'), fields = Object.keys(errors);
      cv.each(main.querySelectorAll('[data-error-summary], .error-message'), function (old) {
        old.parentNode.removeChild(old);
      });
      cv.each(main.querySelectorAll('.field-error'), function (field) {
        field.className = 'field';
      });
      document.title = (fields.length ? text.errorTitle + ' ' : '') + title;
      if (!fields.length) {
        return;
      }
      fields.forEach(function (name) {
        var input = document.getElementById(name) || main.querySelector('[name=' + name + ']');
        var field = input.closest('.field'), described = input.closest('fieldset') || input;
        var message = cv.element('p', 'error-message'), item = cv.element('li'), link = cv.element('a', '', errors[name]);
        message.id = name + '-error';
        message.appendChild(cv.element('span', 'visually-hidden', text.errorTitle));
        message.appendChild(document.createTextNode(' ' + errors[name]));
        field.className = 'field field-error';
        (described.querySelector('legend') || field.querySelector('.hint')).insertAdjacentElement('afterend', message);
        described.setAttribute('aria-describedby', ((described.getAttribute('aria-describedby') || '')
          .replace(/\s*\S+-error/, '') + ' ' + message.id).trim());
        link.href = '#' + input.id;
        item.appendChild(link);
        list.appendChild(item);
      });
      summary.setAttribute('role', 'alert');
      summary.setAttribute('aria-labelledby', 'error-summary-title');
      summary.setAttribute('tabindex', '-1');
      summary.setAttribute('data-error-summary', '');
      summary.appendChild(cv.element('h2', '', text.problem)).id = 'error-summary-title';
      summary.appendChild(list);
      main.insertBefore(summary, main.firstChild);
      summary.focus();
    }

    // Replace the page's content with `nodes`, the heading focused (a new step, as after a redirect).
    function step(nodes) {
      cv.clear(main);
      main.appendChild(nodes);
      var heading = main.querySelector('h1');
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }

    // On submit: check as the server does, then post; `go(answer)` on success, the errors shown otherwise.
    function enhance(target, check, path, field, go) {
      target.addEventListener('submit', function (event) {
        event.preventDefault();
        var checked = check();
        show(checked.errors);
        if (sending || Object.keys(checked.errors).length) {
          return;
        }
        sending = true;
        post(path, checked.body).then(function (answer) {
          return answer.status < 300 ? go(answer) : show(refused(answer, field));
        }, function () {
          show(refused({}, field));
        }).then(function () {
          sending = false;
        });
      }, false);
    }

    // Linked: the first page again without its form, as the forms' redirect shows it (`said`: the notice).
    function linked(said) {
      var page = document.createDocumentFragment();
      if (said) {
        cv.each(kept, function (node) {
          page.appendChild(node);
        });
        step(page);
        main.insertBefore(cv.element('div', 'notice'), main.firstChild).appendChild(cv.element('p', '', said));
        main.firstChild.setAttribute('role', 'status');
      }
      form.parentNode.removeChild(form);
      root.parentNode.removeChild(root);
      lead.textContent = text.linkedLead;
      lead.setAttribute('data-linked', '');
      document.title = title = first;
    }

    var kept = Array.prototype.slice.call(main.childNodes);
    enhance(form, function () {
      var errors = {}, lang = form.querySelector('[name=text_lang]:checked');
      phone = form.phone.value.trim().slice(0, 32);
      if (!phone) {
        errors.phone = text.phoneMissing;
      }
      if (!lang) {
        errors.text_lang = text.langMissing;
      }
      return {errors: errors, body: {phone: phone, lang: lang && lang.value}};
    }, '/api/v1/optin', 'phone', function () {
      step(document.importNode(root.querySelector('template').content, true));
      document.title = title = text.title;
      main.querySelector('.lead bdi').textContent = phone;
      enhance(main.querySelector('form'), function () {
        var code = document.getElementById('code').value.replace(/\s+/g, '');
        return {errors: code ? (/^\d{6}$/.test(code) ? {} : {code: text.codeInvalid}) : {code: text.codeMissing},
          body: {phone: phone, code: code}};
      }, '/api/v1/optin/confirm', 'code', function (answer) {
        return cv.sync.link(answer.token).then(function () {
          linked(text.linked);
        });
      });
    });
    window.cvSync.meta('token').then(function (token) {  // linked before, with JavaScript: no form to show
      if (token) {
        linked('');
      }
    });
  });
}(window, document));
