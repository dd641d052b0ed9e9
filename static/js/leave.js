/* Leaving, for a phone linked with JavaScript (its token in IndexedDB, which the server's session never gets):
   the linked part of /leave is drawn and its four actions go to the JSON API with `Authorization: Bearer`
   (/api/v1/stop, /unlink, /delete, /export). Without a token, or without IndexedDB, the forms stay. ES5. */
(function (window, document) {
  'use strict';

  var cv = window.cv, sync = window.cvSync;
  if (!cv || !sync) {
    return;
  }

  cv.part('leave', function (root) {
    var text = cv.texts(root.querySelector('template[data-leave-texts]').content), section = root.parentNode, main = document.getElementById('main');
    var heading = section.querySelector('h2'), unlinked = [], token, busy = false;

    for (var node = heading.nextSibling; node; node = node.nextSibling) {  // the page as the server drew it
      unlinked.push(node);
    }

    function put(nodes) {
      cv.each(main.querySelectorAll('[data-leave-said], [data-link-gone]'), function (old) {
        old.parentNode.removeChild(old);
      });
      while (heading.nextSibling) {
        section.removeChild(heading.nextSibling);
      }
      section.appendChild(nodes);
    }

    // A notice at the top of the page, as the forms' redirect shows it, focused (the button is gone).
    function notice(said) {
      var box = cv.element('div', 'notice');
      box.appendChild(cv.element('p', '', said));
      box.setAttribute('role', 'status');
      box.setAttribute('tabindex', '-1');
      box.setAttribute('data-leave-said', '');
      main.insertBefore(box, main.firstChild);
      box.focus();
    }

    function notLinked(gone) {
      var page = document.createDocumentFragment();
      token = null;  // the forms left are the server's (delete what this phone keeps)
      unlinked.forEach(function (node) {
        page.appendChild(node);
      });
      put(page);
      if (gone) {
        var warning = section.insertBefore(cv.element('p', 'warning', text.gone), heading.nextSibling);
        warning.setAttribute('role', 'alert');
        warning.setAttribute('data-link-gone', '');
      }
    }

    function stopped() {
      var part = section.querySelector('[data-leave-stop]');
      cv.clear(part);
      part.appendChild(document.importNode(root.querySelector('template[data-leave-stopped]').content, true));
    }

    function call(method, path) {
      return window.fetch('/api/v1/' + path, {method: method, credentials: 'omit', cache: 'no-store',
        headers: {Authorization: 'Bearer ' + token}});
    }

    // The device's stores: the token and the queue (sync.js), the dates and ticks (dates.js, checklist.js).
    function clearDevice() {
      try {
        window.localStorage.removeItem('cv.dates');
        window.localStorage.removeItem('cv.checklist');
      } catch (error) {
        // no localStorage here: nothing kept in it
      }
      return sync.waiting().then(function (changes) {
        return sync.acknowledge(changes.map(function (change) {
          return change.id;
        }));
      }).then(function () {
        return sync.setToken(null, false);
      })['catch'](function () {  // Clear-Site-Data closed the database: delete what is left of it
        window.indexedDB.deleteDatabase('cv-sync');
      });
    }

    var done = {
      stop: function () {
        stopped();
        notice(text.stopped);
      },
      unlink: function () {
        return sync.setToken(null, false).then(function () {
          notLinked(false);
          notice(text.unlinked);
        });
      },
      'delete': function () {
        return clearDevice().then(function () {
          window.location.replace(window.location.pathname + '?done=deleted');
        });
      },
      'export': function (response) {
        return response.blob().then(function (blob) {
          var link = cv.element('a'), url = window.URL.createObjectURL(blob);
          link.href = url;
          link.download = 'carte-vitale-my-data.json';
          link.hidden = true;
          document.body.appendChild(link);
          link.click();
          document.body.removeChild(link);
          window.setTimeout(function () {
            window.URL.revokeObjectURL(url);
          }, 1000);
        });
      }
    };

    // Run an action; a 401 means the link is gone (forgotten here, said as the forms say it).
    function act(name, method) {
      if (busy) {
        return;
      }
      busy = true;
      call(method, name).then(function (response) {
        if (response.ok) {
          return done[name](response);
        }
        if (response.status === 401) {
          return sync.setToken(null, true).then(function () {
            notLinked(true);
          });
        }
        notice(text.failed);
      }, function () {
        notice(text.failed);
      }).then(function () {
        busy = false;
      });
    }

    function linked(reminders) {
      put(document.importNode(root.querySelector('template[data-leave-linked]').content, true));
      if (!reminders) {
        stopped();
      }
      section.addEventListener('submit', function (event) {
        var name = event.target.getAttribute('data-leave-form');
        if (token && done[name]) {
          event.preventDefault();
          act(name, 'POST');
        }
      }, false);
      section.querySelector('[data-leave-export]').addEventListener('click', function (event) {
        event.preventDefault();
        act('export', 'GET');
      }, false);
    }

    Promise.all([sync.meta('token'), sync.meta('revoked')]).then(function (held) {
      token = held[0];
      if (!token) {
        return held[1] && notLinked(true);  // the link ended (DELETE by SMS, another phone): say so
      }
      linked(true);
      return sync.send().then(function (outcome) {  // the server's state: are the reminders on?
        if (outcome.result === 'ok' && !outcome.state.reminders) {
          stopped();
        } else if (outcome.result === 'revoked') {
          notLinked(true);
        }
      });
    })['catch'](Object);
  });
}(window, document));
