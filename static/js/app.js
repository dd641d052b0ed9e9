/* Shared helpers on window.cv, service worker registration, and the start-up that enhances every
   element marked data-enhance="…" with the part registered under that name (by checklist.js, dates.js,
   nir.js: each page loads only the parts it needs, after this file). Every page works without it.
   ES5, feature-detected, no framework. User-visible strings come from the page (a
   <script type="application/json" data-text> block). */
(function (window, document) {
  'use strict';

  var cv = window.cv = {};
  var parts = {};
  var started = false;

  cv.each = function (list, fn) {
    Array.prototype.forEach.call(list, fn);
  };

  cv.show = function (element, visible) {
    element.hidden = !visible;
    element.style.display = visible ? '' : 'none';  // for browsers that ignore the hidden attribute
  };

  cv.hide = function (element) {
    cv.show(element, false);
  };

  cv.clear = function (node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  };

  // The translated strings a part needs, rendered by the server inside its element.
  cv.texts = function (root) {
    var block = root.querySelector('script[data-text]');
    try {
      return block ? JSON.parse(block.textContent) : {};
    } catch (error) {
      return {};
    }
  };

  cv.fill = function (template, values) {
    return String(template || '').replace(/\{(\w+)\}/g, function (all, name) {
      return values.hasOwnProperty(name) ? values[name] : all;
    });
  };

  cv.element = function (tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.appendChild(document.createTextNode(text));
    }
    return node;
  };

  // localStorage when it works (it throws in some private modes; then the page stays server-backed).
  cv.store = (function () {
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

  // Enhance each marked element whose part is registered, once.
  function enhance() {
    cv.each(document.querySelectorAll('[data-enhance]'), function (node) {
      var part = parts[node.getAttribute('data-enhance')];
      if (part && !node.getAttribute('data-enhanced')) {
        node.setAttribute('data-enhanced', 'true');
        part(node);
      }
    });
  }

  /* Register the part that enhances [data-enhance=name]. A part registered after start-up (a script
     run late) is applied at once, so the order the scripts run in does not matter. */
  cv.part = function (name, fn) {
    parts[name] = fn;
    if (started) {
      enhance();
    }
  };

  function start() {
    if (started) {
      return;
    }
    started = true;
    enhance();
    var script = document.querySelector('script[data-sw]');
    if (script && 'serviceWorker' in navigator) {
      // The URL names the page's language (precached); later pages keep the registered URL (no reinstall).
      navigator.serviceWorker.getRegistration().then(function (known) {
        var worker = known && (known.active || known.waiting || known.installing);
        return navigator.serviceWorker.register(worker ? worker.scriptURL :
          script.getAttribute('data-sw') + '?lang=' + encodeURIComponent(document.documentElement.lang));
      })['catch'](function () {
        // No offline copy this time; the page works anyway.
      });
    }
  }

  if (!document.querySelector || !window.JSON || !document.addEventListener) {
    return;  // too old to enhance: the server-backed pages work as they are
  }
  // Deferred scripts run before DOMContentLoaded (readyState 'interactive'): waiting for it lets the
  // feature scripts after this one register their parts first. 'load' covers a script run later.
  if (document.readyState === 'complete') {
    start();
  } else {
    document.addEventListener('DOMContentLoaded', start, false);
    window.addEventListener('load', start, false);
  }
}(window, document));
