/* The social security number (NIR) checker of the number page: pure check functions (tested
   against python-stdnum) and the part that builds the input. Needs app.js (window.cv) first. */
(function (window, document) {
  'use strict';

  var cv = window.cv;
  if (!cv) {
    return;  // app.js did not load: the page works without this part
  }

  var each = cv.each, clear = cv.clear, texts = cv.texts, fill = cv.fill, element = cv.element;

  /* ---------- The check: pure functions. */

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

  cv.nirKey = nirKey;
  cv.checkNir = checkNir;

  /* ---------- The checker: an input outside every form, with no name: it can never be sent. */

  cv.part('nir-check', function (mount) {
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
      clear(result);
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
      var digit = firstDigit(check);
      var first = check.status === 'empty' || verdict === digit ? '' : digit;
      // wrong characters, too long, wrong key, or a right key with a first digit other than 1 or 2
      input.setAttribute('aria-invalid', kind === 'nir-error' && check.status !== 'empty' ? 'true' : 'false');
      say([[kind, verdict], ['nir-first', first],
        ['nir-note', check.valid ? text.temporary : '']]);
    }

    input.addEventListener('input', update, false);
    input.addEventListener('keyup', update, false);  // old browsers without the input event
  });
}(window, document));
