/*
 * The participant's phone page: join, raise items, follow one's own items, +1 others.
 *
 * ES5 only (WeChat in-app browser, old Android WebViews); see live-common.js.
 * What the phone keeps in localStorage, per meeting:
 * - huitan.p.<meeting>        {token, participant, mine: {client_id: text}, voted: {item_id: 1}}
 * - huitan.outbox.<meeting>   items typed but not yet acknowledged by the server
 * An item goes into the outbox before anything is sent, so a reload, a dead network or a
 * closed tab never loses it; the server is idempotent on client_id, so retries never
 * duplicate it.
 */
(function (window) {
  'use strict';

  var H = window.Huitan;
  var T = H.t;
  var root = H.byId('phone');
  if (!root) { return; }

  var meetingId = parseInt(root.getAttribute('data-meeting-id'), 10);
  var joinUrl = root.getAttribute('data-join-url');
  var itemsUrl = root.getAttribute('data-items-url');
  var followUrlTemplate = root.getAttribute('data-follow-url');
  var voteUrlTemplate = root.getAttribute('data-vote-url');
  var maxChars = parseInt(root.getAttribute('data-max-chars'), 10) || 500;
  var meetingTitle = root.getAttribute('data-title') || '';
  var stateKey = 'huitan.p.' + meetingId;

  var state = H.store.get(stateKey, null) || {};
  state.mine = state.mine || {};
  state.voted = state.voted || {};
  var feed = null;
  var meetingStatus = 'live';
  var voting = {};

  var els = {
    conn: H.byId('conn'),
    joinView: H.byId('join-view'),
    joinForm: H.byId('join-form'),
    joinEmployeeNo: H.byId('join-employee-no'),
    joinName: H.byId('join-name'),
    joinError: H.byId('join-error'),
    joinSubmit: H.byId('join-submit'),
    joinNameless: H.byId('join-nameless'),
    turnedAway: H.byId('join-turned-away'),
    mainView: H.byId('main-view'),
    whoName: H.byId('who-name'),
    whoGuest: H.byId('who-guest'),
    switchUser: H.byId('switch-user'),
    closedBanner: H.byId('closed-banner'),
    form: H.byId('item-form'),
    text: H.byId('item-text'),
    category: H.byId('item-category'),
    counter: H.byId('counter'),
    formError: H.byId('form-error'),
    formOk: H.byId('form-ok'),
    submit: H.byId('item-submit'),
    mine: H.byId('mine'),
    mineEmpty: H.byId('mine-empty'),
    others: H.byId('others'),
    othersEmpty: H.byId('others-empty')
  };

  function saveState() { H.store.set(stateKey, state); }

  function authHeaders() {
    return state.token ? { Authorization: 'Bearer ' + state.token } : {};
  }

  function say(node, text) {
    node.textContent = text || '';
    H.show(node, !!text);
  }

  // ------------------------------------------------------------------ joining

  function showJoin(message) {
    var me = H.store.get('huitan.me', null);
    if (me && !els.joinEmployeeNo.value && !els.joinName.value) {
      els.joinEmployeeNo.value = me.employee_no || '';
      els.joinName.value = me.name || '';
    }
    H.show(els.mainView, false);
    H.show(els.joinView, true);
    say(els.joinError, message);
  }

  function showMain() {
    H.show(els.joinView, false);
    H.show(els.mainView, true);
    var p = state.participant || {};
    els.whoName.textContent = p.name || T('nameless');
    H.show(els.whoGuest, !!p.is_guest);
  }

  function forgetToken(message) {
    state.token = null;
    saveState();
    if (feed) { feed.stop(); feed = null; }
    showJoin(message);
  }

  function join(employeeNo, name) {
    say(els.joinError, '');
    H.show(els.turnedAway, false);
    els.joinSubmit.disabled = true;
    H.request('POST', joinUrl, { employee_no: employeeNo, name: name }, {}, function (status, data) {
      els.joinSubmit.disabled = false;
      if (status === 200 && data && data.participant_token) {
        // Remembered on this phone only, to fill the form at the next session.
        if (employeeNo || name) { H.store.set('huitan.me', { employee_no: employeeNo, name: name }); }
        state.token = data.participant_token;
        state.participant = data.participant;
        saveState();
        showMain();
        startFeed();
        outbox.retryFailed();
      } else {
        say(els.joinError, H.errorMessage(status, data));
        // Turned away at the door (full, not on the approved list): the standing channel still hears them.
        var code = H.errorCode(data);
        H.show(els.turnedAway, code === 'full' || code === 'not_invited');
      }
    });
  }

  H.on(els.joinForm, 'submit', function (event) {
    event.preventDefault();
    var employeeNo = H.trim(els.joinEmployeeNo.value);
    var name = H.trim(els.joinName.value);
    if (!employeeNo && !name) {
      say(els.joinError, T('join_need_name'));
      return;
    }
    join(employeeNo, name);
  });

  H.on(els.joinNameless, 'click', function () { join('', ''); });

  H.on(els.switchUser, 'click', function () {
    // Unsent items belong to the person who typed them: never send them under another name.
    if (outbox.entries().length) {
      window.alert(T('switch_blocked'));
      return;
    }
    if (window.confirm(T('switch_confirm'))) {
      state.participant = null;
      state.mine = {};
      state.voted = {};
      state.follow = {};
      H.store.remove('huitan.me');
      els.joinEmployeeNo.value = '';
      els.joinName.value = '';
      forgetToken('');
    }
  });

  // ------------------------------------------------------------------ outbox

  function sendItem(entry, done) {
    if (!state.token) {
      done('wait', T('join_first'));
      return;
    }
    H.request('POST', itemsUrl, entry.payload, { headers: authHeaders() }, function (status, data) {
      var code = H.errorCode(data);
      if ((status === 200 || status === 201) && data && data.id) {
        state.mine[data.client_id] = state.mine[data.client_id] || entry.payload.text;
        if (data.follow_token) {
          state.follow = state.follow || {};
          state.follow[data.client_id] = data.follow_token;
          H.Mine.update(data.client_id, { follow_token: data.follow_token });
        }
        saveState();
        if (feed) { feed.accept(data); }
        done('ok');
      } else if (H.isTransient(status)) {
        done('retry', H.errorMessage(status, data));
      } else if (status === 401 || (status === 403 && code !== 'forbidden' && code !== 'roster_only')) {
        forgetToken(T('token_lost'));
        done('wait', H.errorMessage(status, data));
      } else {
        done('fail', H.errorMessage(status, data));
      }
    });
  }

  // Items the server refused (4xx): out of the outbox so they never block the others, kept
  // here with the reason until the participant edits them again or dismisses them.
  state.rejected = state.rejected || [];

  function rejectItem(entry, message) {
    state.rejected.push({ client_id: entry.client_id, kind: entry.payload.kind, text: entry.payload.text,
                          error: message });
    saveState();
    say(els.formOk, '');
    render();
  }

  var outbox = new H.Outbox('huitan.outbox.' + meetingId, sendItem, function (entries) {
    if (!els.formOk.hasAttribute('hidden') && !entries.length) { say(els.formOk, T('sent')); }
    render();
  }, rejectItem);
  // An outbox written by an older page may still hold items marked failed: treat them as refused.
  H.each(outbox.entries(), function (entry) {
    if (entry.state === 'failed') {
      outbox.remove(entry.client_id);
      rejectItem(entry, entry.error || T('send_failed'));
    }
  });

  function editAgain(rejected) {
    state.rejected = H.filter(state.rejected, function (r) { return r.client_id !== rejected.client_id; });
    saveState();
    els.text.value = rejected.text;
    H.each(els.form.querySelectorAll('input[name="kind"]'), function (input) {
      input.checked = input.value === rejected.kind;
    });
    updateCounter();
    render();
    els.text.focus();
  }

  function dismiss(rejected) {
    state.rejected = H.filter(state.rejected, function (r) { return r.client_id !== rejected.client_id; });
    saveState();
    render();
  }

  // ------------------------------------------------------------------ the form

  function checkedValue(name) {
    var inputs = els.form.querySelectorAll('input[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) { if (inputs[i].checked) { return inputs[i].value; } }
    return null;
  }

  function updateCounter() {
    var n = H.charCount(H.trim(els.text.value));
    els.counter.textContent = String(n);
    els.counter.parentNode.className = 'ph-counter' + (n > maxChars ? ' ph-over' : '');
  }

  H.on(els.text, 'input', updateCounter);
  H.on(els.text, 'keyup', updateCounter);  // some old WebViews skip `input` for IME text

  H.on(els.form, 'submit', function (event) {
    event.preventDefault();
    say(els.formOk, '');
    if (meetingStatus !== 'live') {
      say(els.formError, T('meeting_closed'));
      return;
    }
    var kind = checkedValue('kind');
    var text = H.trim(els.text.value);
    var n = H.charCount(text);
    if (!kind) { say(els.formError, T('choose_kind')); return; }
    if (!text) { say(els.formError, T('empty_text')); return; }
    if (n > maxChars) { say(els.formError, T('too_long', { max: maxChars, n: n })); return; }
    say(els.formError, '');
    var payload = {
      client_id: H.newClientId(), kind: kind, text: text,
      anonymity: checkedValue('anonymity') || 'named', category: els.category.value || null
    };
    // Remember it as ours before sending: the live event may arrive before the HTTP answer.
    state.mine[payload.client_id] = text;
    saveState();
    H.Mine.record({ scope: 'm' + meetingId, title: meetingTitle, client_id: payload.client_id, kind: kind,
                    text: text, anonymity: payload.anonymity, at: new Date().getTime() });
    outbox.add(payload);
    // Ready for the next item; the anonymity choice stays, the kind is chosen afresh.
    H.each(els.form.querySelectorAll('input[name="kind"]'), function (input) { input.checked = false; });
    els.category.value = '';
    els.text.value = '';
    updateCounter();
    say(els.formOk, T('saved'));
  });

  // ------------------------------------------------------------------ lists

  function kindTag(item) {
    return H.el('span', { className: 'lv-kind lv-kind-' + item.kind, text: item.kind_label });
  }

  // The personal link to follow the slip and rate the reply (none for fully anonymous items).
  function followLink(item) {
    var token = state.follow && state.follow[item.client_id];
    if (!token) { return null; }
    return H.el('a', { className: 'ph-follow', href: followUrlTemplate.replace('TOKEN', token), text: T('follow') });
  }

  function renderMine(items) {
    var list = els.mine;
    H.clear(list);
    var known = {};
    H.each(items, function (item) { known[item.client_id] = true; });
    var rows = [];
    var entries = outbox.entries().reverse();  // newest first, like the list below
    H.each(state.rejected.slice().reverse(), function (rejected) {
      rows.push(H.el('li', { className: 'ph-item ph-rejected', 'data-client-id': rejected.client_id }, [
        H.el('div', { className: 'ph-meta' }, [
          H.el('span', { className: 'lv-kind lv-kind-' + rejected.kind, text: T('kind_' + rejected.kind) }),
          H.el('span', { className: 'lv-status lv-status-rejected', text: T('send_failed') })
        ]),
        H.el('p', { className: 'ph-text', text: rejected.text }),
        H.el('p', { className: 'ph-error-line', text: rejected.error }),
        H.el('div', { className: 'ph-row' }, [
          H.el('button', { type: 'button', className: 'ph-btn ph-small', text: T('edit_again'),
                           onclick: function () { editAgain(rejected); } }),
          H.el('button', { type: 'button', className: 'ph-btn ph-small', text: T('dismiss'),
                           onclick: function () { dismiss(rejected); } })
        ])
      ]));
    });
    H.each(entries, function (entry) {
      if (known[entry.client_id]) { return; }  // stored already; only the answer got lost
      var li = H.el('li', { className: 'ph-item ph-pending', 'data-client-id': entry.client_id }, [
        H.el('div', { className: 'ph-meta' }, [
          H.el('span', { className: 'lv-kind lv-kind-' + entry.payload.kind, text: T('kind_' + entry.payload.kind) }),
          H.el('span', { className: 'lv-status lv-status-pending', text: T('waiting') })
        ]),
        H.el('p', { className: 'ph-text', text: entry.payload.text }),
        entry.error ? H.el('p', { className: 'ph-error-line', text: entry.error }) : null
      ]);
      rows.push(li);
    });
    for (var i = items.length - 1; i >= 0; i--) {
      var item = items[i];
      H.Mine.update(item.client_id, { seq: item.seq, status_label: item.status_label,
                                      slip_number: item.slip ? item.slip.number : null });
      // A hidden item's text is withheld from phones; its author still has it here.
      var text = item.text || state.mine[item.client_id] || '';
      rows.push(H.el('li', { className: 'ph-item ph-status-' + item.status, 'data-seq': item.seq }, [
        H.el('div', { className: 'ph-meta' }, [
          H.el('span', { className: 'lv-seq', text: '#' + item.seq }),
          kindTag(item),
          item.category ? H.el('span', { className: 'lv-cat', text: item.category }) : null,
          item.is_approved
            ? H.el('span', { className: 'lv-status lv-status-' + item.status, text: item.status_label })
            : H.el('span', { className: 'lv-status lv-status-pending', text: T('pending_approval') })
        ]),
        H.el('p', { className: 'ph-text', text: text }),
        H.el('div', { className: 'ph-sub' }, [
          H.el('span', { text: T('anon_' + item.anonymity) }),
          H.el('span', { className: 'ph-votes', text: T('votes') + ' ' + item.votes })
        ])
      ].concat(H.outcomeNodes(item), [followLink(item)])));
    }
    H.each(rows, function (row) { list.appendChild(row); });
    H.show(els.mineEmpty, rows.length === 0);
  }

  function vote(item) {
    if (voting[item.id]) { return; }
    voting[item.id] = true;
    var url = voteUrlTemplate.replace('/0/vote', '/' + item.id + '/vote');
    H.request('POST', url, {}, { headers: authHeaders() }, function (status, data) {
      voting[item.id] = false;
      if (status === 200 && data && data.id) {
        state.voted[item.id] = 1;
        saveState();
        if (feed) { feed.accept(data); }
        render();
      } else if (H.errorCode(data) === 'already_voted') {
        state.voted[item.id] = 1;
        saveState();
        render();
      } else {
        window.alert(H.errorMessage(status, data));
      }
    });
  }

  function renderOthers(items) {
    var list = els.others;
    H.clear(list);
    var shown = 0;
    for (var i = items.length - 1; i >= 0; i--) {
      var item = items[i];
      if (item.status === 'hidden') { continue; }
      var canVote = meetingStatus === 'live' && item.status !== 'merged' && !state.voted[item.id];
      var button = H.el('button', {
        type: 'button', className: 'ph-vote' + (state.voted[item.id] ? ' ph-voted' : ''),
        disabled: !canVote, 'aria-label': T('vote_label'),
        text: (state.voted[item.id] ? T('voted') : '+1') + ' · ' + item.votes
      });
      (function (target) { H.on(button, 'click', function () { vote(target); }); })(item);
      list.appendChild(H.el('li', { className: 'ph-item ph-status-' + item.status, 'data-seq': item.seq }, [
        H.el('div', { className: 'ph-meta' }, [
          H.el('span', { className: 'lv-seq', text: '#' + item.seq }),
          kindTag(item),
          item.category ? H.el('span', { className: 'lv-cat', text: item.category }) : null,
          H.el('span', { className: 'lv-status lv-status-' + item.status, text: item.status_label })
        ]),
        H.el('p', { className: 'ph-text', text: item.text }),
        H.el('div', { className: 'ph-sub' }, [
          H.el('span', { text: H.submitterLabel(item) }),
          item.status === 'merged' ? null : button
        ])
      ].concat(H.outcomeNodes(item))));
      shown += 1;
    }
    H.show(els.othersEmpty, shown === 0);
  }

  function render() {
    var all = feed ? feed.items.list() : [];
    var mine = [];
    var others = [];
    H.each(all, function (item) {
      if (state.mine.hasOwnProperty(item.client_id)) { mine.push(item); } else { others.push(item); }
    });
    renderMine(mine);
    renderOthers(others);
  }

  var renderSoon = H.debounce(render, 50);

  // ------------------------------------------------------------------ live

  function setMeetingStatus(status) {
    meetingStatus = status;
    var closed = status !== 'live';
    H.show(els.closedBanner, closed);
    els.submit.disabled = closed;
    if (closed) { render(); }
  }

  function startFeed() {
    if (feed) { return; }
    feed = new H.LiveFeed({
      meetingId: meetingId,
      itemsUrl: itemsUrl,
      token: function () { return state.token; },
      onChange: renderSoon,
      onMeeting: setMeetingStatus,
      onConnection: function (connection) {
        els.conn.textContent = T(connection);
        els.conn.className = 'conn conn-' + connection;
        if (connection === 'online') { outbox.kick(); }
      },
      onAuthError: function () { forgetToken(T('token_lost')); }
    });
    feed.start();
    render();
  }

  // ------------------------------------------------------------------ start

  updateCounter();
  if (state.token) {
    showMain();
    startFeed();
    outbox.kick();
  } else {
    showJoin('');
    render();
  }
})(window);
