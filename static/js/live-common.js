/*
 * Huitan live helpers shared by the phone page and the board.
 *
 * Plain ES5 on purpose: the phone page must run in WeChat's in-app browser and in old
 * Android WebViews, without a build step. So: var/function only, XMLHttpRequest rather
 * than fetch, no template literals, no optional chaining.
 *
 * What lives here:
 * - H.request: JSON over XMLHttpRequest, calling back (status, data); status 0 = no network.
 * - H.store: localStorage with an in-memory fallback (private mode, full quota).
 * - H.Outbox: items waiting to be acknowledged, kept in localStorage and retried with
 *   backoff until the server answers; the server is idempotent on client_id, so a retry
 *   can never store an item twice.
 * - H.ItemStore: the items a page knows, merged by id; stale copies never win.
 * - H.LiveFeed: Socket.IO /live plus HTTP catch-up: on every (re)connect the page fetches the
 *   item list before applying live events, which wait in a buffer meanwhile.
 */
(function (window) {
  'use strict';

  var H = window.Huitan = window.Huitan || {};
  var document = window.document;

  // ------------------------------------------------------------------ small helpers

  H.noop = function () {};

  H.each = function (list, fn) {
    for (var i = 0; i < list.length; i++) { fn(list[i], i); }
  };

  H.filter = function (list, keep) {
    var kept = [];
    H.each(list, function (value, i) { if (keep(value, i)) { kept.push(value); } });
    return kept;
  };

  /** Characters as the server counts them (code points), not UTF-16 units or bytes. */
  H.charCount = function (text) {
    return String(text || '').replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '_').length;
  };

  H.trim = function (text) {
    return String(text || '').replace(/^\s+|\s+$/g, '');
  };

  /** A client-generated id for idempotent submission: 24 chars of [A-Za-z0-9]. */
  H.newClientId = function () {
    var alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    var out = '';
    var bytes = null;
    var cryptoObj = window.crypto || window.msCrypto;
    if (cryptoObj && cryptoObj.getRandomValues && window.Uint8Array) {
      bytes = new window.Uint8Array(24);
      cryptoObj.getRandomValues(bytes);
    }
    for (var i = 0; i < 24; i++) {
      var n = bytes ? bytes[i] : Math.floor(Math.random() * 256);
      out += alphabet.charAt(n % alphabet.length);
    }
    return out;
  };

  /**
   * Build an element. attrs: className, text (set with textContent, never HTML), type, etc.;
   * keys starting with "on" become event listeners; "data-*" and others become attributes.
   */
  H.el = function (tag, attrs, children) {
    var node = document.createElement(tag);
    var key;
    attrs = attrs || {};
    for (key in attrs) {
      if (!attrs.hasOwnProperty(key) || attrs[key] === null || attrs[key] === undefined || attrs[key] === false) {
        continue;
      }
      if (key === 'text') {
        node.textContent = String(attrs[key]);
      } else if (key === 'className') {
        node.className = attrs[key];
      } else if (key.indexOf('on') === 0 && typeof attrs[key] === 'function') {
        node.addEventListener(key.substring(2), attrs[key], false);
      } else if (key === 'value') {
        node.value = attrs[key];
      } else if (attrs[key] === true) {
        node.setAttribute(key, key);
      } else {
        node.setAttribute(key, String(attrs[key]));
      }
    }
    if (children) {
      H.each(children, function (child) {
        if (child === null || child === undefined || child === false) { return; }
        node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
      });
    }
    return node;
  };

  H.clear = function (node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
  };

  H.show = function (node, visible) {
    if (!node) { return; }
    if (visible) { node.removeAttribute('hidden'); } else { node.setAttribute('hidden', 'hidden'); }
  };

  H.byId = function (id) { return document.getElementById(id); };

  /** Coalesce calls: a burst of live events redraws the page once, not once per event. */
  H.debounce = function (fn, ms) {
    var timer = null;
    return function () {
      if (timer) { return; }
      timer = window.setTimeout(function () { timer = null; fn(); }, ms);
    };
  };

  // Texts come translated from the template (<script type="application/json" data-strings>),
  // so that this file holds no user-facing language.
  var strings = null;
  H.t = function (key, params) {
    if (!strings) {
      strings = {};
      var blobs = document.querySelectorAll('script[data-strings]');
      H.each(blobs, function (blob) {
        var data = {};
        try { data = JSON.parse(blob.textContent || '{}'); } catch (e) { data = {}; }
        for (var k in data) { if (data.hasOwnProperty(k)) { strings[k] = data[k]; } }
      });
    }
    var text = strings.hasOwnProperty(key) ? strings[key] : key;
    if (params) {
      text = text.replace(/\{(\w+)\}/g, function (whole, name) {
        return params.hasOwnProperty(name) ? String(params[name]) : whole;
      });
    }
    return text;
  };

  H.on = function (node, name, fn) {
    if (node) { node.addEventListener(name, fn, false); }
  };

  // ------------------------------------------------------------------ storage

  H.store = (function () {
    var memory = {};
    var ls = null;
    try {
      ls = window.localStorage;
      ls.setItem('huitan.probe', '1');
      ls.removeItem('huitan.probe');
    } catch (e) {
      ls = null;
    }
    return {
      persistent: !!ls,
      get: function (key, fallback) {
        var raw = null;
        try { raw = ls ? ls.getItem(key) : memory[key]; } catch (e) { raw = memory[key]; }
        if (raw === null || raw === undefined) { return fallback; }
        try { return JSON.parse(raw); } catch (e2) { return fallback; }
      },
      set: function (key, value) {
        var raw = JSON.stringify(value);
        memory[key] = raw;
        try { if (ls) { ls.setItem(key, raw); } } catch (e) { /* quota: memory copy still works */ }
      },
      remove: function (key) {
        delete memory[key];
        try { if (ls) { ls.removeItem(key); } } catch (e) { /* ignore */ }
      }
    };
  })();

  // ------------------------------------------------------------------ HTTP

  /**
   * JSON request. callback(status, data): status 0 means the network failed or timed out;
   * data is the parsed body or null.
   */
  H.request = function (method, url, body, options, callback) {
    options = options || {};
    var xhr = new window.XMLHttpRequest();
    var finished = false;
    function finish(status, data) {
      if (finished) { return; }
      finished = true;
      callback(status, data);
    }
    try {
      xhr.open(method, url, true);
    } catch (e) {
      finish(0, null);
      return xhr;
    }
    xhr.setRequestHeader('Accept', 'application/json');
    if (body !== null && body !== undefined) {
      xhr.setRequestHeader('Content-Type', 'application/json');
    }
    var headers = options.headers || {};
    for (var name in headers) {
      if (headers.hasOwnProperty(name) && headers[name]) { xhr.setRequestHeader(name, headers[name]); }
    }
    xhr.timeout = options.timeout || 15000;
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      var data = null;
      if (xhr.responseText) {
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      }
      finish(xhr.status || 0, data);
    };
    xhr.ontimeout = function () { finish(0, null); };
    xhr.onerror = function () { finish(0, null); };
    try {
      xhr.send(body !== null && body !== undefined ? JSON.stringify(body) : null);
    } catch (e) {
      finish(0, null);
    }
    return xhr;
  };

  /** The Chinese message of an API error body, or a generic one for the status. */
  H.errorMessage = function (status, data) {
    if (data && data.error && data.error.message) { return data.error.message; }
    if (status === 0) { return H.t('net_error'); }
    if (status === 429) { return H.t('rate_limited'); }
    if (status >= 500) { return H.t('server_error'); }
    return H.t('request_failed') + ' (' + status + ')';
  };

  H.errorCode = function (data) {
    return data && data.error ? data.error.code : null;
  };

  /** Worth trying again later: no network, server trouble, rate limit. */
  H.isTransient = function (status) {
    return status === 0 || status === 408 || status === 429 || status >= 500;
  };

  // ------------------------------------------------------------------ outbox

  /**
   * Items not yet acknowledged by the server, persisted under `key`.
   *
   * send(entry, done) must call done('ok'), done('retry') for a transient failure,
   * done('wait') when nothing can be sent now (e.g. the participant must join again), or
   * done('fail', message) for a refusal that a retry will not fix (a 4xx). A refused item
   * never blocks the ones behind it: with `onReject` it leaves the outbox and is handed to
   * onReject(entry, message) to be shown (so the text is never silently lost); without, it
   * stays, marked failed, and is skipped.
   */
  H.Outbox = function (key, send, onChange, onReject) {
    this.key = key;
    this.send = send;
    this.onChange = onChange || H.noop;
    this.onReject = onReject || null;
    this.busy = false;
    this.timer = null;
    this.failures = 0;
    var self = this;
    H.on(window, 'online', function () { self.kick(); });
  };

  H.Outbox.prototype.entries = function () {
    return H.store.get(this.key, []) || [];
  };

  H.Outbox.prototype.save = function (entries) {
    H.store.set(this.key, entries);
    this.onChange(entries);
  };

  /** Add a payload (it must carry its client_id) and try to send it at once. */
  H.Outbox.prototype.add = function (payload) {
    var entries = this.entries();
    entries.push({ client_id: payload.client_id, payload: payload, added_at: new Date().getTime(),
                   state: 'pending', error: null });
    this.save(entries);
    this.kick();
  };

  H.Outbox.prototype.update = function (clientId, changes) {
    var entries = this.entries();
    H.each(entries, function (entry) {
      if (entry.client_id === clientId) {
        for (var k in changes) { if (changes.hasOwnProperty(k)) { entry[k] = changes[k]; } }
      }
    });
    this.save(entries);
  };

  H.Outbox.prototype.remove = function (clientId) {
    var kept = [];
    H.each(this.entries(), function (entry) { if (entry.client_id !== clientId) { kept.push(entry); } });
    this.save(kept);
  };

  /** Try the failed ones again (after the user fixed what was wrong, e.g. joined again). */
  H.Outbox.prototype.retryFailed = function () {
    var entries = this.entries();
    H.each(entries, function (entry) { entry.state = 'pending'; entry.error = null; });
    this.save(entries);
    this.kick();
  };

  /** Send now (cancels a scheduled retry). Safe to call any time. */
  H.Outbox.prototype.kick = function () {
    if (this.timer) { window.clearTimeout(this.timer); this.timer = null; }
    this.failures = Math.min(this.failures, 1);
    this.flush();
  };

  H.Outbox.prototype.schedule = function () {
    var self = this;
    if (this.timer) { return; }
    // Exponential backoff with jitter, 1 s up to 30 s: a room of phones coming back online
    // together does not hammer the server in step.
    var delay = Math.min(30000, 1000 * Math.pow(2, Math.min(this.failures, 5)));
    delay = Math.round(delay * (0.75 + Math.random() * 0.5));
    this.timer = window.setTimeout(function () { self.timer = null; self.flush(); }, delay);
  };

  H.Outbox.prototype.flush = function () {
    var self = this;
    if (this.busy) { return; }
    var next = null;
    H.each(this.entries(), function (entry) {
      if (!next && entry.state !== 'failed') { next = entry; }
    });
    if (!next) { return; }
    this.busy = true;
    if (next.state !== 'sending') { this.update(next.client_id, { state: 'sending' }); }
    this.send(next, function (result, message) {
      self.busy = false;
      if (result === 'ok') {
        self.failures = 0;
        self.remove(next.client_id);
        self.flush();
      } else if (result === 'fail') {
        if (self.onReject) {
          self.remove(next.client_id);
          self.onReject(next, message || '');
        } else {
          self.update(next.client_id, { state: 'failed', error: message || null });
        }
        self.flush();
      } else if (result === 'wait') {
        self.update(next.client_id, { state: 'pending', error: message || null });
      } else {
        self.failures += 1;
        self.update(next.client_id, { state: 'pending', error: message || null });
        self.schedule();
      }
    });
  };

  // ------------------------------------------------------------------ item store

  var SLIP_STEPS = { issued: 0, accepted: 1, replied: 2, closed: 3 };

  function progress(item) {
    // Outcomes are one-way (open → one outcome), approval too, and votes only grow:
    // a copy that is behind on any of these is an old event that arrived late. A slip moves
    // forward too, except when it is sent back (退回重办), which counts up reopen_count.
    var slip = item.slip || {};
    return [item.status === 'open' ? 0 : 1, item.is_approved ? 1 : 0, item.votes || 0,
            slip.reopen_count || 0, SLIP_STEPS.hasOwnProperty(slip.status) ? SLIP_STEPS[slip.status] : -1];
  }

  H.ItemStore = function () {
    this.byId = {};
    this.lastSeq = 0;
  };

  /** Merge an item; returns true when the page should redraw it. */
  H.ItemStore.prototype.put = function (item) {
    if (!item || item.id === undefined) { return false; }
    var old = this.byId[item.id];
    if (item.seq && item.seq > this.lastSeq) { this.lastSeq = item.seq; }
    if (old) {
      var a = progress(old);
      var b = progress(item);
      for (var i = 0; i < a.length; i++) {
        if (b[i] < a[i]) { return false; }
        if (b[i] > a[i]) { break; }
      }
      if (JSON.stringify(old) === JSON.stringify(item)) { return false; }
    }
    this.byId[item.id] = item;
    return true;
  };

  /** Sequence numbers below the highest that the store has no item for. */
  H.ItemStore.prototype.holes = function () {
    var count = 0;
    for (var id in this.byId) { if (this.byId.hasOwnProperty(id) && this.byId[id].seq) { count++; } }
    return this.lastSeq - count;
  };

  H.ItemStore.prototype.list = function () {
    var out = [];
    for (var id in this.byId) { if (this.byId.hasOwnProperty(id)) { out.push(this.byId[id]); } }
    out.sort(function (a, b) { return (a.seq || 0) - (b.seq || 0); });
    return out;
  };

  H.ItemStore.prototype.bySeq = function (seq) {
    for (var id in this.byId) {
      if (this.byId.hasOwnProperty(id) && this.byId[id].seq === seq) { return this.byId[id]; }
    }
    return null;
  };

  // ------------------------------------------------------------------ item rendering

  /** Who raised it, as the board and phones may say it (anonymous names never reach them). */
  H.submitterLabel = function (item) {
    if (item.submitter) { return item.submitter; }
    return H.t(item.anonymity === 'named' ? 'unnamed_submitter' : 'anonymous_submitter');
  };

  /** The outcome lines of an item (answer, slip, explanation, merge), as elements. */
  H.outcomeNodes = function (item) {
    var lines = [];
    function line(kind, label, text) {
      lines.push(H.el('p', { className: 'lv-outcome lv-outcome-' + kind },
                           [H.el('b', { className: 'lv-label', text: label }), ' '].concat(text)));
    }
    if (item.status === 'answered' && item.answer) {
      line('answered', H.t('answer'), item.answer);
    } else if ((item.status === 'transferred' || item.status === 'adopted') && item.slip) {
      // The slip number must not wrap at its hyphens: people read it out and write it down.
      line('slip', item.status_label, [
        H.t('slip_number') + ' ', H.el('span', { className: 'lv-nowrap lv-slip-number', text: item.slip.number }),
        ' · ' + item.slip.department + ' · ',
        H.el('span', { className: 'lv-nowrap', text: H.t('slip_due', { due: item.slip.due_date }) }),
        item.slip.status_label ? ' ' : null,
        item.slip.status_label ? H.el('span', { className: 'lv-status lv-slip-' + item.slip.status,
                                                 text: item.slip.status_label }) : null
      ]);
      if (item.slip.reply) { line('reply', H.t('slip_reply'), item.slip.reply); }
    } else if (item.status === 'declined' && item.outcome_note) {
      line('declined', H.t('declined_note'), item.outcome_note);
    } else if (item.status === 'merged' && item.merged_into_seq) {
      line('merged', item.status_label, H.t('merged_into') + ' #' + item.merged_into_seq);
    } else if (item.status === 'hidden' && item.outcome_note) {
      line('hidden', H.t('hidden_note'), item.outcome_note);
    }
    return lines;
  };

  // ------------------------------------------------------------------ live feed

  /**
   * options: meetingId, itemsUrl, token (function → participant token or null for the cookie),
   * headers (function → extra HTTP headers), onChange(), onMeeting(status),
   * onConnection('online'|'offline'|'syncing'), onAuthError(code).
   */
  H.LiveFeed = function (options) {
    this.options = options;
    this.items = new H.ItemStore();
    this.socket = null;
    this.syncing = false;
    this.buffer = [];
    this.pollTimer = null;
    this.generation = 0;
    this.stopped = false;
    this.knownHoles = 0;   // holes the server's own list has (everySeq feeds)
    this.holeTimer = null;
  };

  H.LiveFeed.prototype.start = function () {
    var self = this;
    var o = this.options;
    H.on(document, 'visibilitychange', function () {
      // A phone that slept may have missed events even if its socket looks alive.
      if (!document.hidden) { self.sync(); }
    });
    if (!window.io) {
      // Without the Socket.IO client (blocked script), fall back to polling.
      this.sync();
      return;
    }
    var auth = { meeting_id: o.meetingId };
    var token = o.token ? o.token() : null;
    if (token) { auth.token = token; }
    this.socket = window.io('/live', {
      auth: auth,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
      timeout: 10000
    });
    this.setConnection('offline');
    this.socket.on('connect', function () { self.sync(); });
    this.socket.on('disconnect', function () { self.setConnection('offline'); });
    this.socket.on('connect_error', function (err) {
      self.setConnection('offline');
      var code = err && err.message;
      if (code === 'invalid_token' || code === 'wrong_meeting' || code === 'unauthorized' || code === 'forbidden') {
        if (o.onAuthError) { o.onAuthError(code); }
      } else if (self.socket && !self.socket.active) {
        // The server refused for another reason: reconnect by hand after a pause.
        window.setTimeout(function () { if (self.socket) { self.socket.connect(); } }, 5000);
      }
    });
    this.socket.on('item', function (event) { self.receive(event); });
    this.socket.on('meeting', function (event) {
      if (event && event.meeting && o.onMeeting) { o.onMeeting(event.meeting.status); }
    });
    // The first list comes over HTTP right away, without waiting for the socket.
    this.sync();
  };

  H.LiveFeed.prototype.stop = function () {
    this.stopped = true;
    if (this.pollTimer) { window.clearTimeout(this.pollTimer); this.pollTimer = null; }
    if (this.socket) { this.socket.disconnect(); this.socket = null; }
  };

  H.LiveFeed.prototype.setConnection = function (state) {
    if (this.options.onConnection) { this.options.onConnection(state); }
  };

  H.LiveFeed.prototype.receive = function (event) {
    if (!event || !event.item) { return; }
    if (this.syncing) {
      this.buffer.push(event.item);
      return;
    }
    if (this.items.put(event.item)) { this.options.onChange([event.item]); }
    if (event.op === 'created') { this.checkHoles(); }
  };

  /**
   * A staff feed (`everySeq`) is sent every item, so a missing seq means a lost event: e.g. a
   * server process stopped between its commit and its broadcast, while this socket, held by
   * another process, stayed up and so would never catch up. Wait a moment (events of two
   * processes may arrive out of order), then catch up if the hole is still there.
   */
  H.LiveFeed.prototype.checkHoles = function () {
    var self = this;
    if (!this.options.everySeq || this.holeTimer || this.items.holes() <= this.knownHoles) { return; }
    this.holeTimer = window.setTimeout(function () {
      self.holeTimer = null;
      if (!self.syncing && self.items.holes() > self.knownHoles) { self.sync(); }
    }, 1500);
  };

  /** Put items that arrived outside the feed (an HTTP answer) into the store. */
  H.LiveFeed.prototype.accept = function (item) {
    if (this.items.put(item)) { this.options.onChange([item]); }
  };

  /**
   * Catch up over HTTP, page by page from seq 0. A full pass and not `after=<last seq>`
   * because items the page already has may have changed (answered, transferred, +1)
   * while it was away; the merge keeps whichever copy is further along.
   */
  H.LiveFeed.prototype.sync = function () {
    var self = this;
    var o = this.options;
    if (this.stopped) { return; }
    var generation = ++this.generation;
    var changed = [];
    this.syncing = true;
    this.setConnection('syncing');
    if (this.pollTimer) { window.clearTimeout(this.pollTimer); this.pollTimer = null; }

    function page(after) {
      var token = o.token ? o.token() : null;
      var headers = o.headers ? o.headers() : {};
      if (token) { headers.Authorization = 'Bearer ' + token; }
      H.request('GET', o.itemsUrl + '?after=' + after, null, { headers: headers }, function (status, data) {
        if (generation !== self.generation || self.stopped) { return; }  // superseded or stopped
        if (status === 200 && data && data.items) {
          var lastSeen = after;
          H.each(data.items, function (item) {
            if (self.items.put(item)) { changed.push(item); }
            if (item.seq > lastSeen) { lastSeen = item.seq; }
          });
          if (data.items.length && lastSeen < data.last_seq) {
            page(lastSeen);
            return;
          }
          finish(data.status);
        } else if ((status === 401 || status === 403) && o.onAuthError) {
          self.syncing = false;
          self.buffer = [];
          o.onAuthError(H.errorCode(data) || 'unauthorized');
        } else if (self.socket && !self.socket.connected) {
          // Server away: the socket's own reconnect (with backoff) will call sync again.
          self.setConnection('offline');
        } else {
          // Keep the buffer and try again shortly: the socket may be up before the HTTP side.
          self.pollTimer = window.setTimeout(function () { self.pollTimer = null; self.sync(); }, 3000);
        }
      });
    }

    function finish(meetingStatus) {
      var buffered = self.buffer;
      self.buffer = [];
      self.syncing = false;
      self.knownHoles = self.items.holes();  // before the live events that came meanwhile
      H.each(buffered, function (item) { if (self.items.put(item)) { changed.push(item); } });
      if (changed.length) { o.onChange(changed); }
      if (buffered.length) { self.checkHoles(); }  // a live event of the catch-up may show one
      if (meetingStatus && o.onMeeting) { o.onMeeting(meetingStatus); }
      var connected = self.socket && self.socket.connected;
      self.setConnection(connected ? 'online' : 'offline');
      if (!self.socket) {
        self.pollTimer = window.setTimeout(function () { self.pollTimer = null; self.sync(); }, 5000);
      }
    }

    page(0);
  };
})(window);
