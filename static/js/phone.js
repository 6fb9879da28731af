/*
 * The participant's phone page of a meeting: join, raise items, follow one's own items, +1 others.
 * The item form, the outbox and "我的事项" are the shared component in item-form.js (the standing
 * channel's page uses the same); this file adds what only a meeting has: joining with a
 * participant token, the live feed of everybody's items, and votes.
 *
 * ES5 only (WeChat in-app browser, old Android WebViews); see live-common.js.
 * What the phone keeps in localStorage, per meeting:
 * - huitan.p.<meeting>        {token, participant, mine: {client_id: text}, voted: {item_id: 1}}
 * - huitan.outbox.<meeting>   items typed but not yet acknowledged by the server
 * - huitan.rejected.<meeting> items the server refused, kept with the reason until edited or dismissed
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
        form.outbox.retryFailed();
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
    if (form.outbox.entries().length) {
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

  // ------------------------------------------------------------------ the item form (item-form.js)

  function sendItem(payload, done) {
    if (!state.token) {
      done('wait', T('join_first'));
      return;
    }
    H.request('POST', itemsUrl, payload, { headers: authHeaders() }, function (status, data) {
      var code = H.errorCode(data);
      if ((status === 200 || status === 201) && data && data.id) {
        state.mine[data.client_id] = state.mine[data.client_id] || payload.text;
        if (data.follow_token) {
          state.follow = state.follow || {};
          state.follow[data.client_id] = data.follow_token;
        }
        saveState();
        done('ok', null, data);
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

  var form = new H.ItemForm({
    outboxKey: 'huitan.outbox.' + meetingId,
    rejectedKey: 'huitan.rejected.' + meetingId,
    scope: 'm' + meetingId,
    title: meetingTitle,
    maxChars: maxChars,
    send: sendItem,
    blocked: function () { return meetingStatus !== 'live' ? T('meeting_closed') : null; },
    // Remember it as ours before sending: the live event may arrive before the HTTP answer.
    onQueued: function (payload) {
      state.mine[payload.client_id] = payload.text;
      saveState();
    },
    onSent: function (item) { if (feed) { feed.accept(item); } },
    onChange: function () { render(); },
    followUrl: followUrlTemplate,
    followToken: function (clientId) { return state.follow && state.follow[clientId]; },
    showVotes: true
  });
  // Refused items used to live in this page's state: move them to the shared component's list.
  if (state.rejected && state.rejected.length) {
    H.each(state.rejected, function (rejected) { form.rejected.push(rejected); });
    H.store.set('huitan.rejected.' + meetingId, form.rejected);
    delete state.rejected;
    saveState();
  }

  // ------------------------------------------------------------------ everybody's items

  function kindTag(item) {
    return H.el('span', { className: 'lv-kind lv-kind-' + item.kind, text: item.kind_label });
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
          item.category ? H.el('span', { className: 'lv-cat', text: item.category_label || item.category }) : null,
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
    if (!form) { return; }  // the form draws once it exists
    var all = feed ? feed.items.list() : [];
    var mine = [];
    var others = [];
    H.each(all, function (item) {
      if (state.mine.hasOwnProperty(item.client_id)) { mine.push(item); } else { others.push(item); }
    });
    form.renderMine(mine);
    renderOthers(others);
  }

  var renderSoon = H.debounce(render, 50);

  // ------------------------------------------------------------------ live

  function setMeetingStatus(status) {
    meetingStatus = status;
    var closed = status !== 'live';
    H.show(els.closedBanner, closed);
    form.setEnabled(!closed);
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
        if (connection === 'online') { form.outbox.kick(); }
      },
      onAuthError: function () { forgetToken(T('token_lost')); }
    });
    feed.start();
    render();
  }

  // ------------------------------------------------------------------ start

  if (state.token) {
    showMain();
    startFeed();
    form.outbox.kick();
  } else {
    showJoin('');
    render();
  }
})(window);
