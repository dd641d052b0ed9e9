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
        long: text.long,
        short: fill(text.count, {count: check.length}),
        key: text.key,
        valid: check.valid ? text.valid : text.firstOther
      }[check.status];
      var kind = check.valid ? 'nir-ok' : (check.status === 'short' ? 'nir-progress' : 'nir-error');
      input.setAttribute('aria-invalid', check.status === 'chars' || check.status === 'long' ||
        check.status === 'key' || (check.checksum && !check.valid) ? 'true' : 'false');
      say([[kind, verdict], ['nir-first', check.status === 'empty' ? '' : firstDigit(check)],
        ['nir-note', check.valid ? text.temporary : '']]);
    }

    input.addEventListener('input', update, false);
    input.addEventListener('keyup', update, false);  // old browsers without the input event
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
