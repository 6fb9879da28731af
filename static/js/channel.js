/*
 * The standing channel's page (一码通, /c/<code>): raise an item any day, with no account and no
 * token. The item form, the outbox and "我的事项" are the shared component in item-form.js (the
 * meeting phone page uses the same); this file adds what only a channel has: the name, 工号 and
 * phone asked for unless the worker chooses full anonymity, a random device id for the server's
 * rate limit (never stored with an item), and the status of this phone's own items, read back by
 * the client ids only this phone knows (a channel has no live feed, no join and no votes).
 *
 * localStorage: huitan.outbox.c<code>, huitan.rejected.c<code>, huitan.mine (scope c<code>),
 * huitan.device, and huitan.me (the name and 工号 typed last, to fill the form next time).
 * ES5 only (WeChat's browser).
 */
(function (window) {
  'use strict';

  var H = window.Huitan;
  var T = H.t;
  var root = H.byId('channel');
  if (!root) { return; }

  var code = root.getAttribute('data-code');
  var itemsUrl = root.getAttribute('data-items-url');
  var csrf = root.getAttribute('data-csrf');
  var scope = 'c' + code;
  var known = {};  // client_id → the item as the server last told it
  var REFRESH_MS = 60000;

  var device = H.store.get('huitan.device', null);
  if (!device) {
    device = H.newClientId();
    H.store.set('huitan.device', device);
  }

  var els = {
    identity: H.byId('identity'),
    name: H.byId('id-name'),
    employeeNo: H.byId('id-employee-no'),
    phone: H.byId('id-phone')
  };

  function headers() {
    var out = { 'X-Huitan-Device': device };
    if (csrf) { out['X-CSRFToken'] = csrf; }  // a logged-in organizer trying the page
    return out;
  }

  function send(payload, done) {
    H.request('POST', itemsUrl, payload, { headers: headers() }, function (status, data) {
      if ((status === 200 || status === 201) && data && data.id) {
        known[data.client_id] = data;
        done('ok', null, data);
      } else if (H.isTransient(status)) {
        done('retry', H.errorMessage(status, data));
      } else {
        done('fail', H.errorMessage(status, data));
      }
    });
  }

  // ------------------------------------------------------------------ who is asking

  function anonymity() {
    var checked = root.querySelector('input[name="anonymity"]:checked');
    return checked ? checked.value : 'named';
  }

  function showIdentity() {
    // Full anonymity means nothing about the sender leaves the phone: the fields go away.
    H.show(els.identity, anonymity() !== 'hidden_identity');
  }

  H.each(root.querySelectorAll('input[name="anonymity"]'), function (input) {
    H.on(input, 'change', showIdentity);
  });

  var me = H.store.get('huitan.me', null);
  if (me) {
    els.name.value = me.name || '';
    els.employeeNo.value = me.employee_no || '';
    els.phone.value = me.phone || '';
  }

  function prepare(payload) {
    if (payload.anonymity === 'hidden_identity') { return null; }
    var name = H.trim(els.name.value);
    var employeeNo = H.trim(els.employeeNo.value);
    var phone = H.trim(els.phone.value);
    if (!name && !employeeNo) { return T('need_identity'); }
    payload.name = name || null;
    payload.employee_no = employeeNo || null;
    payload.phone = phone || null;
    H.store.set('huitan.me', { name: name, employee_no: employeeNo, phone: phone });
    return null;
  }

  // ------------------------------------------------------------------ the form and "我的事项"

  var form = new H.ItemForm({
    outboxKey: 'huitan.outbox.' + scope,
    rejectedKey: 'huitan.rejected.' + scope,
    scope: scope,
    title: root.getAttribute('data-title') || '',
    maxChars: parseInt(root.getAttribute('data-max-chars'), 10) || 500,
    send: send,
    prepare: prepare,
    onSent: function () { render(); },
    onChange: function () { render(); },
    followUrl: root.getAttribute('data-follow-url'),
    publicUrl: root.getAttribute('data-public-url')
  });

  /** What the list shows for an item the server has not described yet (e.g. while offline). */
  function remembered(entry) {
    return { client_id: entry.client_id, kind: entry.kind, text: entry.text, anonymity: entry.anonymity || 'named',
             status: 'open', status_label: entry.status_label || T('submitted'), slip: entry.slip_number
               ? { number: entry.slip_number } : null };
  }

  function render() {
    if (!form) { return; }
    var waiting = {};
    H.each(form.outbox.entries(), function (entry) { waiting[entry.client_id] = true; });
    var items = [];
    var entries = H.Mine.list(scope);
    for (var i = entries.length - 1; i >= 0; i--) {  // oldest first
      var entry = entries[i];
      if (waiting[entry.client_id]) { continue; }
      items.push(known[entry.client_id] || remembered(entry));
    }
    form.renderMine(items);
  }

  /** Ask the server how this phone's items stand (answers, slips), by their client ids. */
  function refresh() {
    var ids = [];
    H.each(H.Mine.list(scope), function (entry) { if (ids.length < 50) { ids.push(entry.client_id); } });
    if (!ids.length) { return; }
    H.request('GET', itemsUrl + '?client_ids=' + encodeURIComponent(ids.join(',')), null, {}, function (status, data) {
      if (status === 200 && data && data.items) {
        H.each(data.items, function (item) { known[item.client_id] = item; });
        render();
      }
    });
  }

  H.on(window, 'online', refresh);
  H.on(window.document, 'visibilitychange', function () { if (!window.document.hidden) { refresh(); } });
  window.setInterval(function () { if (!window.document.hidden) { refresh(); } }, REFRESH_MS);

  showIdentity();
  render();
  refresh();
  form.outbox.kick();
})(window);
