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
     stdnum.fr.nir.is_valid says; `valid` also needs the first digit to be 1 or 2; `state`, what the
     person sees, is empty, incomplete, invalid or valid. */
  function checkNir(raw) {
    var number = compactNir(raw);
    var result = {number: number, length: number.length, first: number.charAt(0), status: 'valid',
      checksum: false, valid: false};
    var i;
    if (!number) {
      result.status = result.state = 'empty';
      return result;
    }
    for (i = 0; i < number.length; i += 1) {
      if (!allowedAt(number, i)) {
        result.status = 'chars';
        result.state = 'invalid';
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
    // What the person is told: only 1 and 2 can ever be valid, so another first digit is wrong at once.
    result.state = result.valid ? 'valid' :
      (result.status === 'short' && /[12]/.test(result.first) ? 'incomplete' : 'invalid');
    return result;
  }

  // The usual grouping, as on the card: 2 95 10 99 126 111 93.
  function groupNir(number) {
    return [number.slice(0, 1), number.slice(1, 3), number.slice(3, 5), number.slice(5, 7),
      number.slice(7, 10), number.slice(10, 13), number.slice(13)].join(' ');
  }

  cv.nirKey = nirKey;
  cv.checkNir = checkNir;


  /* ---------- The checker: an input outside every form, with no name: it can never be sent. */

  var SVG = 'http://www.w3.org/2000/svg';
  // Drawn for this page: a white tick, cross or three dots on a disc of the state's colour (CSS).
  var PICTOGRAMS = {
    valid: ['tick', 'M6.5 12.5l3.5 3.5 7.5-8'],
    invalid: ['cross', 'M8 8l8 8m0-8l-8 8'],
    incomplete: ['dots', 'M7 12h.01M12 12h.01M17 12h.01']
  };
  var KINDS = {valid: 'nir-ok', invalid: 'nir-error', incomplete: 'nir-progress', empty: ''};

  function svgNode(tag, attributes) {
    var node = document.createElementNS(SVG, tag);
    var name;
    for (name in attributes) {
      if (attributes.hasOwnProperty(name)) {
        node.setAttribute(name, attributes[name]);
      }
    }
    return node;
  }

  function pictogram(state) {
    var drawn = PICTOGRAMS[state];
    var svg = svgNode('svg', {viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false',
      'data-pictogram': drawn[0]});
    svg.appendChild(svgNode('circle', {cx: 12, cy: 12, r: 12}));
    svg.appendChild(svgNode('path', {d: drawn[1], fill: 'none', stroke: '#fff', 'stroke-linecap': 'round',
      'stroke-linejoin': 'round', 'stroke-width': state === 'incomplete' ? 3.5 : 2.5}));
    return svg;
  }

  cv.part('nir-check', function (mount) {
    var text = texts(mount);
    var id = 'nir-input';
    var field = element('div', 'field');
    var label = element('label', null, text.label);
    var hint = element('p', 'hint', text.hint);
    var input = document.createElement('input');
    // Just below the input: the box (pictogram and verdict) is kept in view with the input above
    // an on-screen keyboard; the explanations follow it.
    var result = element('div', 'nir-result');
    var box = element('div');
    var verdict = element('p', 'nir-verdict');
    var said = element('span');  // the live region: its text changes only when what it says does
    var count = element('span');
    var details = element('div');
    var shown = {};
    label.htmlFor = id;
    hint.id = id + '-hint';
    input.id = id;
    input.type = 'text';
    input.setAttribute('inputmode', 'numeric');
    input.setAttribute('autocomplete', 'off');
    input.setAttribute('autocapitalize', 'characters');
    input.setAttribute('spellcheck', 'false');
    input.setAttribute('aria-describedby', hint.id);
    said.setAttribute('role', 'status');
    said.setAttribute('aria-live', 'polite');
    verdict.appendChild(said);
    verdict.appendChild(count);
    box.appendChild(verdict);
    result.appendChild(box);
    result.appendChild(details);
    field.appendChild(label);
    field.appendChild(hint);
    field.appendChild(input);
    field.appendChild(result);
    mount.appendChild(field);

    function firstDigit(check) {
      if (check.first === '1' || check.first === '2') {
        return text['first' + check.first];
      }
      if (check.first === '7' || check.first === '8') {
        return text.firstOld;
      }
      return /[0-9]/.test(check.first) ? text.firstOther : '';
    }

    // Why a number is not valid: a wrong character, then a first digit that can never be right.
    function reason(check) {
      if (check.status === 'chars') {
        return text.chars;
      }
      if (!/[12]/.test(check.first)) {
        return firstDigit(check);
      }
      return check.status === 'long' ? text.tooLong : text.key;
    }

    // The headline (bold) and what follows it, per state; `count` stays out of the live region.
    function words(check) {
      return {
        empty: ['', ''],
        incomplete: [text.incomplete, ''],
        invalid: [text.invalid, reason(check)],
        valid: [fill(text.validNumber, {number: groupNir(check.number)}), '']
      }[check.state];
    }

    function draw(check) {
      var line = words(check);
      var digit = firstDigit(check);
      var key = check.state + '|' + line.join('|');
      if (key !== shown.key) {
        shown.key = key;
        result.setAttribute('data-state', check.state);
        box.className = 'nir-box ' + KINDS[check.state];
        if (shown.svg) {
          box.removeChild(shown.svg);
        }
        shown.svg = check.state === 'empty' ? null : box.insertBefore(pictogram(check.state), verdict);
        clear(said);
        if (line[0]) {
          said.appendChild(element('strong', null, line[0]));
        }
        if (line[1]) {
          said.appendChild(document.createTextNode(' ' + line[1]));
        }
      }
      count.textContent = check.state === 'incomplete' ? ' ' + fill(text.count, {count: check.length}) : '';
      clear(details);
      each([check.valid && text.valid, check.state !== 'empty' && digit !== line[1] && digit,
        check.valid && text.temporary], function (sentence) {
        if (sentence) {
          details.appendChild(element('p', null, sentence));
        }
      });
    }

    // Bring the verdict into view (an on-screen keyboard may have covered it), if the browser can
    // scroll to the nearest edge (older ones would jump the result to the top of the screen).
    function keepInView() {
      if (document.activeElement === input && 'scrollBehavior' in document.documentElement.style) {
        box.scrollIntoView({block: 'nearest'});
      }
    }

    function update() {
      var check = checkNir(input.value);
      // wrong characters, too long, wrong key, or a first digit other than 1 or 2
      input.setAttribute('aria-invalid', check.state === 'invalid' ? 'true' : 'false');
      draw(check);
      keepInView();
    }

    input.addEventListener('input', update, false);
    input.addEventListener('keyup', update, false);  // old browsers without the input event
    input.addEventListener('focus', keepInView, false);
    (window.visualViewport || window).addEventListener('resize', keepInView, false);
    draw(checkNir(''));
  });
}(window, document));
