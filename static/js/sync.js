/* The offline queue (README: Offline queue): changes wait in IndexedDB until acknowledged, sent only once
   linked; the server's state is written to the stores. sw.js imports it too (no document there). ES5. */
(function (global) {
  'use strict';

  var opened;

  function idb() {
    opened = opened || new Promise(function (resolve, reject) {
      var request = global.indexedDB.open('cv-sync', 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore('outbox', {keyPath: 'slot'});  // slot: field:key, one per fact
        request.result.createObjectStore('meta');  // token, revoked
      };
      request.onsuccess = function () {
        resolve(request.result);
      };
      request.onerror = function () {
        reject(request.error);
      };
    });
    return opened;
  }

  // fn(outbox, meta, out) in one transaction; resolves with out.value once committed.
  function run(mode, fn) {
    return idb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(['outbox', 'meta'], mode), out = {};
        tx.oncomplete = function () {
          resolve(out.value);
        };
        tx.onerror = tx.onabort = function () {
          reject(tx.error);
        };
        fn(tx.objectStore('outbox'), tx.objectStore('meta'), out);
      });
    });
  }

  function got(request, out, map) {
    request.onsuccess = function () {
      out.value = map ? map(request.result) : request.result;
    };
  }

  function randomId() {
    var hex = '';
    if (global.crypto.randomUUID) {
      return global.crypto.randomUUID();
    }
    global.crypto.getRandomValues(new Uint8Array(16)).forEach(function (b) {
      hex += (b < 16 ? '0' : '') + b.toString(16);
    });
    return hex;
  }

  var core = {
    // Queue a change (openapi.json's Change); it replaces a waiting edit of the same fact.
    record: function (field, key, value) {
      var change = {id: randomId(), at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), field: field, value: value};
      if (key !== null) {
        change.key = String(key);
      }
      return run('readwrite', function (outbox) {
        outbox.put({slot: field + ':' + (change.key || ''), change: change});
      });
    },
    waiting: function () {
      return run('readonly', function (outbox, meta, out) {
        got(outbox.getAll(), out, function (entries) {
          return entries.map(function (entry) {
            return entry.change;
          });
        });
      });
    },
    meta: function (name) {  // token, revoked
      return run('readonly', function (outbox, meta, out) {
        got(meta.get(name), out);
      });
    },
    // Keep a token (null forgets it; `revoked`: the server ended the link).
    setToken: function (token, revoked) {
      return run('readwrite', function (outbox, meta) {
        meta[token ? 'put' : 'delete'](token || 'token', 'token');
        meta.put(!!revoked, 'revoked');
      });
    },
    // Forget acknowledged changes (a newer edit of the same fact, made meanwhile, stays).
    acknowledge: function (ids) {
      return run('readwrite', function (outbox) {
        outbox.getAll().onsuccess = function (event) {
          event.target.result.forEach(function (entry) {
            if (ids.indexOf(entry.change.id) !== -1) {
              outbox['delete'](entry.slot);
            }
          });
        };
      });
    },
    // Send what waits, 100 a request (the API's limit): {result: unlinked|revoked|offline|failed|ok, state}.
    send: function () {
      return Promise.all([core.meta('token'), core.waiting()]).then(function (both) {
        var changes = both[1].slice(0, 100);
        return both[0] ? global.fetch('/api/v1/sync', {method: 'POST', credentials: 'omit', cache: 'no-store',
          headers: {'Content-Type': 'application/json', Authorization: 'Bearer ' + both[0]},
          body: JSON.stringify({changes: changes})}).then(function (response) {
          return response.json()['catch'](Object).then(function (body) {
            return answer(response.status, body, changes);
          });
        }, function () {
          return {result: 'offline'};
        }) : {result: 'unlinked'};
      });
    }
  };

  function answer(status, body, changes) {
    var bad = /^changes\.(\d+)/.exec(body.field || '');
    if (status === 200) {
      return core.acknowledge(body.applied).then(core.waiting).then(function (left) {
        // edits made during the request are not in its state: send them first
        return left.length ? core.send() : {result: 'ok', state: body.state};
      });
    }
    if (status === 401) {  // revoked (DELETE, unlink) or unknown: the link is gone, the dates stay
      return core.setToken(null, true).then(function () {
        return {result: 'revoked'};
      });
    }
    if (status === 400 && bad && changes[bad[1]]) {  // a change the server will never take: drop it
      return core.acknowledge([changes[bad[1]].id]).then(core.send);
    }
    return {result: 'failed'};
  }

  global.cvSync = global.indexedDB && global.Promise && global.fetch && global.crypto ? core : null;
  if (global.cvSync && global.document && global.cv && global.cv.store) {
    page(global.document, global.cv, global.cv.store);
  }

  /* ---------- In a page: the stores, the triggers, the words that say where the changes are. */

  function page(document, cv, store) {
    var listeners = [], sending, again, shown;

    // The server's state in the shapes dates.js and checklist.js keep.
    function keep(state) {
      var application = state.application || {}, checklist = {done: []};
      store.set('cv.dates', {method: application.method || '', sentOn: application.sent_on || '',
        receivedOn: application.received_on || '', claims: state.claims.map(function (claim) {
          var kept = {id: claim.number, key: claim.key, postedOn: claim.posted_on};
          if (claim.paid_on) {
            kept.paidOn = claim.paid_on;
          }
          return kept;
        })});
      Object.keys(state.ticks).forEach(function (step) {
        if (state.ticks[step]) {
          checklist.done.push(step);
        }
      });
      if (state.route) {
        checklist.route = state.route;
      }
      store.set('cv.checklist', checklist);
      listeners.forEach(function (listener) {
        listener();
      });
    }

    // What the phone holds, as [field, key, value] (the inverse of keep).
    function held() {
      var dates = store.get('cv.dates') || {}, checklist = store.get('cv.checklist') || {}, changes = [];
      if (dates.method && dates.sentOn) {
        changes.push(['application', null, {method: dates.method, sent_on: dates.sentOn}]);
        if (dates.receivedOn) {
          changes.push(['card', null, {received_on: dates.receivedOn}]);
        }
      }
      (dates.claims || []).forEach(function (claim) {
        claim.key = claim.key || randomId();  // a claim kept before claims had keys
        changes.push(['claim', claim.key, {posted_on: claim.postedOn, paid_on: claim.paidOn || null}]);
      });
      if (dates.claims) {
        store.set('cv.dates', dates);
      }
      (checklist.done || []).forEach(function (step) {
        changes.push(['tick', step, {done: true}]);
      });
      if (checklist.route) {
        changes.push(['route', null, {route: checklist.route}]);
      }
      return changes;
    }

    // Say the state (words from partials/sync_state.html) when it changes.
    function say(which) {
      cv.each(document.querySelectorAll('[data-sync]'), function (root) {
        var output = root.querySelector('[data-sync-state]');
        if (which !== shown) {
          output.textContent = cv.texts(root)[which];
          output.setAttribute('data-state', which);
        }
        cv.show(root, true);
      });
      shown = which;
    }

    function settle(outcome) {
      var result = outcome.result;
      if (result === 'ok') {
        keep(outcome.state);
        return say(outcome.state.reminders ? 'linked' : 'stopped');
      }
      if (result === 'unlinked') {
        return core.meta('revoked').then(function (revoked) {
          say(revoked ? 'revoked' : 'local');
        });
      }
      say(result === 'revoked' ? result : 'local');
      if (result !== 'revoked' && navigator.serviceWorker) {  // Background Sync retries, even page closed
        navigator.serviceWorker.ready.then(function (registration) {
          return registration.sync && registration.sync.register('cv-sync');
        })['catch'](Object);
      }
    }

    function flush() {
      if (sending) {
        again = true;
        return sending;
      }
      sending = core.send().then(settle, function () {
        say('local');
      }).then(function () {
        sending = null;
        if (again) {
          again = false;
          return flush();
        }
      });
      return sending;
    }

    cv.sync = {
      // Queue a change of a fact (`key`: a claim's or a step's), then send it if linked.
      record: function (field, key, value) {
        if (shown === 'linked' || shown === 'stopped') {
          say('local');
        }
        return core.record(field, key, value).then(flush, Object);  // IndexedDB refused: kept here only
      },
      // Link this phone (its token) and send all it holds (facts older than the queue go as edits made now).
      link: function (token) {
        return core.waiting().then(function (changes) {
          var queued = {};
          changes.forEach(function (change) {
            queued[change.field + ':' + (change.key || '')] = true;
          });
          return Promise.all(held().filter(function (change) {
            return !queued[change[0] + ':' + (change[1] || '')];
          }).map(function (change) {
            return core.record(change[0], change[1], change[2]);
          }));
        }).then(function () {
          return core.setToken(token, false);
        }).then(flush);
      },
      // fn() redraws a part once the server's state is in the stores.
      listen: function (fn) {
        listeners.push(fn);
      },
      key: randomId,
      flush: flush
    };

    global.addEventListener('online', flush, false);
    if (navigator.serviceWorker) {
      navigator.serviceWorker.addEventListener('message', function (event) {
        if (event.data === 'cv-synced') {
          flush();  // the worker sent the queue: fetch the state
        }
      });
    }
    var handover = document.querySelector('script[data-sync-handover]');
    if (handover) {  // the code was just entered on /reminders (the forms): link, send all
      cv.sync.link(JSON.parse(handover.textContent).token);
    } else {
      flush();
    }
  }
}(self));
