/*
 * The item form and "我的事项", shared by the meeting phone page (phone.js) and the standing
 * channel's page (channel.js): kinds, categories, the character counter, the anonymity choice,
 * the outbox with retries (the server is idempotent on client_id, so a retry never stores an item
 * twice), refused items kept with their reason until edited or dismissed, and the list of this
 * phone's own items with their follow links.
 *
 * What the page supplies is how an item travels and what it adds: the meeting page sends with its
 * participant token and hears back over its live feed; the channel page sends with no account.
 *
 * localStorage: the outbox under options.outboxKey, refused items under options.rejectedKey, and
 * every item this phone raised under `huitan.mine` (mine.js) with options.scope.
 * ES5 only (WeChat's browser); needs live-common.js and mine.js.
 */
(function (window) {
  'use strict';

  var H = window.Huitan;
  var T = H.t;

  /**
   * options:
   *   outboxKey, rejectedKey   localStorage keys
   *   scope, title             how H.Mine files the items ("m<meeting id>" / "c<channel code>")
   *   maxChars
   *   send(payload, done)      done('ok', null, storedItem) | done('retry'|'wait'|'fail', message)
   *   blocked()                a message when no item can be taken now (meeting closed), else null
   *   prepare(payload)         adds the page's own fields; returns a message to refuse, else null
   *   onSent(item)             the server stored it
   *   onChange()               the outbox or the refused items changed: the page redraws the list
   *   followUrl                "/f/TOKEN"
   *   publicUrl                the public board (a fully anonymous item's slip number is looked up there)
   *   followToken(clientId)    the item's follow token, when the page keeps its own copy
   *   showVotes                show the +1 count of one's own items (meetings)
   */
  H.ItemForm = function (options) {
    var self = this;
    this.o = options;
    this.els = {
      form: H.byId('item-form'),
      text: H.byId('item-text'),
      category: H.byId('item-category'),
      counter: H.byId('counter'),
      formError: H.byId('form-error'),
      formOk: H.byId('form-ok'),
      submit: H.byId('item-submit'),
      mine: H.byId('mine'),
      mineEmpty: H.byId('mine-empty')
    };
    this.rejected = H.store.get(options.rejectedKey, []) || [];
    this.outbox = new H.Outbox(options.outboxKey, function (entry, done) { self.sendEntry(entry, done); },
      function (entries) {
        if (!self.els.formOk.hasAttribute('hidden') && !entries.length) { self.say(self.els.formOk, T('sent')); }
        self.changed();
      },
      function (entry, message) { self.reject(entry, message); });
    // An outbox written by an older page may still hold items marked failed: treat them as refused.
    H.each(this.outbox.entries(), function (entry) {
      if (entry.state === 'failed') {
        self.outbox.remove(entry.client_id);
        self.reject(entry, entry.error || T('send_failed'));
      }
    });
    H.on(this.els.text, 'input', function () { self.updateCounter(); });
    H.on(this.els.text, 'keyup', function () { self.updateCounter(); });  // old WebViews skip `input` for IME text
    H.on(this.els.form, 'submit', function (event) {
      event.preventDefault();
      self.submit();
    });
    this.updateCounter();
  };

  var F = H.ItemForm.prototype;

  F.say = function (node, text) {
    node.textContent = text || '';
    H.show(node, !!text);
  };

  F.changed = function () {
    if (this.o.onChange) { this.o.onChange(); }
  };

  F.checkedValue = function (name) {
    var inputs = this.els.form.querySelectorAll('input[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) { if (inputs[i].checked) { return inputs[i].value; } }
    return null;
  };

  F.updateCounter = function () {
    var n = H.charCount(H.trim(this.els.text.value));
    this.els.counter.textContent = String(n);
    this.els.counter.parentNode.className = 'ph-counter' + (n > this.o.maxChars ? ' ph-over' : '');
  };

  F.setEnabled = function (enabled) {
    this.els.submit.disabled = !enabled;
  };

  // ------------------------------------------------------------------ sending

  F.sendEntry = function (entry, done) {
    var self = this;
    this.o.send(entry.payload, function (result, message, item) {
      if (result === 'ok' && item) {
        if (item.follow_token) { H.Mine.update(item.client_id, { follow_token: item.follow_token }); }
        if (self.o.onSent) { self.o.onSent(item); }
      }
      done(result, message);
    });
  };

  /** A refusal (4xx) is final: out of the outbox, shown with its reason, the text kept to edit. */
  F.reject = function (entry, message) {
    this.rejected.push({ client_id: entry.client_id, kind: entry.payload.kind, text: entry.payload.text,
                         error: message });
    H.store.set(this.o.rejectedKey, this.rejected);
    H.Mine.remove(entry.client_id);  // never stored: not one of "my items" on other pages either
    this.say(this.els.formOk, '');
    this.changed();
  };

  F.forgetRejected = function (rejected) {
    this.rejected = H.filter(this.rejected, function (r) { return r.client_id !== rejected.client_id; });
    H.store.set(this.o.rejectedKey, this.rejected);
  };

  F.editAgain = function (rejected) {
    this.forgetRejected(rejected);
    this.els.text.value = rejected.text;
    H.each(this.els.form.querySelectorAll('input[name="kind"]'), function (input) {
      input.checked = input.value === rejected.kind;
    });
    this.updateCounter();
    this.changed();
    this.els.text.focus();
  };

  F.dismiss = function (rejected) {
    this.forgetRejected(rejected);
    this.changed();
  };

  F.submit = function () {
    var els = this.els;
    this.say(els.formOk, '');
    var blocked = this.o.blocked ? this.o.blocked() : null;
    if (blocked) { this.say(els.formError, blocked); return; }
    var kind = this.checkedValue('kind');
    var text = H.trim(els.text.value);
    var n = H.charCount(text);
    if (!kind) { this.say(els.formError, T('choose_kind')); return; }
    if (!text) { this.say(els.formError, T('empty_text')); return; }
    if (n > this.o.maxChars) { this.say(els.formError, T('too_long', { max: this.o.maxChars, n: n })); return; }
    var payload = {
      client_id: H.newClientId(), kind: kind, text: text,
      anonymity: this.checkedValue('anonymity') || 'named', category: els.category.value || null
    };
    var refused = this.o.prepare ? this.o.prepare(payload) : null;
    if (refused) { this.say(els.formError, refused); return; }
    this.say(els.formError, '');
    H.Mine.record({ scope: this.o.scope, title: this.o.title, client_id: payload.client_id, kind: kind,
                    text: text, anonymity: payload.anonymity, at: new Date().getTime() });
    if (this.o.onQueued) { this.o.onQueued(payload); }
    this.outbox.add(payload);
    // Ready for the next item; the anonymity choice stays, the kind is chosen afresh.
    H.each(els.form.querySelectorAll('input[name="kind"]'), function (input) { input.checked = false; });
    els.category.value = '';
    els.text.value = '';
    this.updateCounter();
    this.say(els.formOk, T('saved'));
  };

  // ------------------------------------------------------------------ "我的事项"

  F.followToken = function (clientId) {
    var token = this.o.followToken ? this.o.followToken(clientId) : null;
    if (token) { return token; }
    var entry = H.Mine.get(clientId);
    return entry ? entry.follow_token : null;
  };

  /** The personal link to follow and rate; for a fully anonymous item, its slip on the public board. */
  F.links = function (item) {
    var token = this.followToken(item.client_id);
    if (token) {
      return H.el('a', { className: 'ph-follow', href: this.o.followUrl.replace('TOKEN', token), text: T('follow') });
    }
    if (this.o.publicUrl && item.slip && item.slip.number) {
      return H.el('a', { className: 'ph-follow', text: T('see_public_board', { n: item.slip.number }),
                         href: this.o.publicUrl + '?number=' + encodeURIComponent(item.slip.number) });
    }
    return null;
  };

  F.rejectedRow = function (rejected) {
    var self = this;
    return H.el('li', { className: 'ph-item ph-rejected', 'data-client-id': rejected.client_id }, [
      H.el('div', { className: 'ph-meta' }, [
        H.el('span', { className: 'lv-kind lv-kind-' + rejected.kind, text: T('kind_' + rejected.kind) }),
        H.el('span', { className: 'lv-status lv-status-rejected', text: T('send_failed') })
      ]),
      H.el('p', { className: 'ph-text', text: rejected.text }),
      H.el('p', { className: 'ph-error-line', text: rejected.error }),
      H.el('div', { className: 'ph-row' }, [
        H.el('button', { type: 'button', className: 'ph-btn ph-small', text: T('edit_again'),
                         onclick: function () { self.editAgain(rejected); } }),
        H.el('button', { type: 'button', className: 'ph-btn ph-small', text: T('dismiss'),
                         onclick: function () { self.dismiss(rejected); } })
      ])
    ]);
  };

  F.pendingRow = function (entry) {
    return H.el('li', { className: 'ph-item ph-pending', 'data-client-id': entry.client_id }, [
      H.el('div', { className: 'ph-meta' }, [
        H.el('span', { className: 'lv-kind lv-kind-' + entry.payload.kind, text: T('kind_' + entry.payload.kind) }),
        H.el('span', { className: 'lv-status lv-status-pending', text: T('waiting') })
      ]),
      H.el('p', { className: 'ph-text', text: entry.payload.text }),
      entry.error ? H.el('p', { className: 'ph-error-line', text: entry.error }) : null
    ]);
  };

  F.storedRow = function (item) {
    H.Mine.update(item.client_id, { seq: item.seq, status_label: item.status_label,
                                    slip_number: item.slip ? item.slip.number : null });
    // A hidden item's text is withheld from phones; its author still has it on this phone.
    var remembered = H.Mine.get(item.client_id);
    var text = item.text || (remembered && remembered.text) || '';
    var attrs = { className: 'ph-item ph-status-' + item.status };
    if (item.seq) { attrs['data-seq'] = item.seq; } else { attrs['data-id'] = item.id || ''; }
    return H.el('li', attrs, [
      H.el('div', { className: 'ph-meta' }, [
        item.seq ? H.el('span', { className: 'lv-seq', text: '#' + item.seq }) : null,
        H.el('span', { className: 'lv-kind lv-kind-' + item.kind, text: item.kind_label || T('kind_' + item.kind) }),
        item.category ? H.el('span', { className: 'lv-cat', text: item.category_label || item.category }) : null,
        item.is_urgent ? H.el('span', { className: 'lv-status lv-status-pending', text: T('urgent') }) : null,
        item.is_approved === false
          ? H.el('span', { className: 'lv-status lv-status-pending', text: T('pending_approval') })
          : H.el('span', { className: 'lv-status lv-status-' + item.status, text: item.status_label })
      ]),
      H.el('p', { className: 'ph-text', text: text }),
      H.el('div', { className: 'ph-sub' }, [
        H.el('span', { text: T('anon_' + item.anonymity) }),
        this.o.showVotes ? H.el('span', { className: 'ph-votes', text: T('votes') + ' ' + item.votes }) : null
      ])
    ].concat(H.outcomeNodes(item), [this.links(item)]));
  };

  /**
   * Draw "我的事项": refused items, items waiting in the outbox (unless the server has them
   * already and only the answer got lost), then `items` the server stored, newest first.
   * `items` come oldest first.
   */
  F.renderMine = function (items) {
    var self = this;
    var list = this.els.mine;
    H.clear(list);
    var known = {};
    H.each(items, function (item) { known[item.client_id] = true; });
    var rows = [];
    H.each(this.rejected.slice().reverse(), function (rejected) { rows.push(self.rejectedRow(rejected)); });
    H.each(this.outbox.entries().reverse(), function (entry) {
      if (!known[entry.client_id]) { rows.push(self.pendingRow(entry)); }
    });
    for (var i = items.length - 1; i >= 0; i--) { rows.push(this.storedRow(items[i])); }
    H.each(rows, function (row) { list.appendChild(row); });
    H.show(this.els.mineEmpty, rows.length === 0);
  };
})(window);
