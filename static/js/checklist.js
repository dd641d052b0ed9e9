/* The checklist: ticks and the way to apply saved on this device at once, no reload, no submit button;
   only the chosen route's steps show, and the progress count follows. Needs app.js (window.cv) first. */
(function (window, document) {
  'use strict';

  var cv = window.cv;
  if (!cv) {
    return;  // app.js did not load: the page works without this part
  }

  var each = cv.each, hide = cv.hide, show = cv.show, element = cv.element, store = cv.store;

  cv.part('checklist', function (form) {
    if (!store) {
      return;  // no storage: the form keeps posting to the server
    }
    var key = 'cv.checklist';
    var boxes = form.querySelectorAll('input[type=checkbox][name=done]');
    var radios = form.querySelectorAll('input[type=radio][name=route]');
    var groups = form.querySelectorAll('[data-route]');
    var progress = form.querySelector('[data-progress]');
    var status = element('p', 'visually-hidden');
    var saved = store.get(key);

    function route() {
      var chosen = '';
      each(radios, function (radio) {
        if (radio.checked) {
          chosen = radio.value;
        }
      });
      return chosen;
    }

    // Show the chosen route's steps only; count the ticked steps that show.
    function draw() {
      var chosen = route(), done = 0, total = 0;
      each(boxes, function (box) {
        total += 1;
        done += box.checked ? 1 : 0;
      });
      each(groups, function (group) {
        var mine = group.getAttribute('data-route') === chosen;
        show(group, mine);
        if (!mine) {  // the other route's steps do not count
          each(group.querySelectorAll('input[name=done]'), function (box) {
            total -= 1;
            done -= box.checked ? 1 : 0;
          });
        }
      });
      if (progress) {
        progress.firstChild.textContent = cv.fill(form.getAttribute('data-progress-text'), {done: done, total: total});
      }
    }

    function save() {
      var done = [];
      each(boxes, function (box) {
        if (box.checked) {
          done.push(box.value);
        }
      });
      var state = {done: done};
      if (route()) {
        state.route = route();
      }
      store.set(key, state);
    }

    if (saved && saved.done && saved.done.length !== undefined) {
      each(boxes, function (box) {
        box.checked = saved.done.indexOf(box.value) !== -1;
      });
      each(radios, function (radio) {
        radio.checked = radio.value === saved.route;
      });
    } else {
      save();  // the first time, keep what the server knew (ticks and route chosen without JavaScript)
    }
    draw();
    each(form.querySelectorAll('[type=submit]'), hide);
    status.setAttribute('role', 'status');
    form.appendChild(status);
    if (cv.sync) {
      cv.sync.listen(function () {  // the server's ticks and route were written to the store: show them
        var kept = store.get(key);
        each(boxes, function (box) {
          box.checked = kept.done.indexOf(box.value) !== -1;
        });
        each(radios, function (radio) {
          radio.checked = radio.value === kept.route;
        });
        draw();
      });
    }
    form.addEventListener('change', function (event) {
      var name = event.target.name;
      if (cv.sync && name === 'done') {  // into the offline queue of sync.js (sent once this phone is linked)
        cv.sync.record('tick', event.target.value, {done: event.target.checked});
      } else if (cv.sync && name === 'route') {
        cv.sync.record('route', null, {route: event.target.value});
      }
      if (name === 'done' || name === 'route') {
        save();
        draw();
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
