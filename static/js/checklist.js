/* The checklist: ticks saved on this device at once, no reload, no submit button.
   Needs app.js (window.cv) first. */
(function (window, document) {
  'use strict';

  var cv = window.cv;
  if (!cv) {
    return;  // app.js did not load: the page works without this part
  }

  var each = cv.each, hide = cv.hide, element = cv.element, store = cv.store;

  cv.part('checklist', function (form) {
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
  });
}(window, document));
