/*
 * "我的事项": what this phone raised, kept in localStorage under `huitan.mine` so that the
 * phone can still show it — with the follow link, or for a fully anonymous item the slip number
 * to look up on the public board — after the meeting has closed, on the follow page of any one
 * of them, and from the standing QR channel's page. Nothing here is sent to the server.
 *
 * Entries: {scope, title, client_id, kind, text, anonymity, at, follow_token?, seq?, status_label?,
 * slip_number?}. `scope` is "m<meeting id>" (a meeting) or "c<channel code>" (a channel).
 * ES5 only (WeChat's browser); needs live-common.js (H.store, H.el, H.t).
 */
(function (window) {
  'use strict';

  var H = window.Huitan;
  var KEY = 'huitan.mine';
  var KEEP = 200;

  function all() { return H.store.get(KEY, []) || []; }

  function save(entries) { H.store.set(KEY, entries.slice(0, KEEP)); }

  function find(entries, clientId) {
    for (var i = 0; i < entries.length; i++) { if (entries[i].client_id === clientId) { return i; } }
    return -1;
  }

  H.Mine = {
    list: function (scope) {
      var entries = all();
      if (!scope) { return entries; }
      var kept = [];
      H.each(entries, function (entry) { if (entry.scope === scope) { kept.push(entry); } });
      return kept;
    },

    /** Remember a new item (newest first); a known client_id is left as it is. */
    record: function (entry) {
      var entries = all();
      if (find(entries, entry.client_id) >= 0) { return; }
      entries.unshift(entry);
      save(entries);
    },

    /** Merge what the server told us (follow token, seq, status, slip number) into an entry. */
    update: function (clientId, changes) {
      var entries = all();
      var index = find(entries, clientId);
      if (index < 0) { return; }
      var changed = false;
      for (var key in changes) {
        if (changes.hasOwnProperty(key) && changes[key] !== undefined && changes[key] !== null &&
            entries[index][key] !== changes[key]) {
          entries[index][key] = changes[key];
          changed = true;
        }
      }
      if (changed) { save(entries); }
    },

    /**
     * Items raised on a meeting's phone page before `huitan.mine` existed live only in that
     * page's own state (`huitan.p.<meeting>`): bring them in, so their links are not lost.
     */
    adoptMeetingState: function (meetingId, title) {
      var state = H.store.get('huitan.p.' + meetingId, null);
      if (!state || !state.mine) { return; }
      var follow = state.follow || {};
      for (var clientId in state.mine) {
        if (state.mine.hasOwnProperty(clientId)) {
          H.Mine.record({ scope: 'm' + meetingId, title: title, client_id: clientId, text: state.mine[clientId],
                          kind: null, anonymity: follow[clientId] ? null : 'hidden_identity', at: null });
          if (follow[clientId]) { H.Mine.update(clientId, { follow_token: follow[clientId] }); }
        }
      }
    },

    /** Render entries into `list` (a <ul>): text, status, and the follow link or the public board. */
    render: function (list, entries, options) {
      H.clear(list);
      H.each(entries, function (entry) {
        var link = null;
        if (entry.follow_token) {
          link = H.el('a', { className: 'ph-follow', text: H.t('follow'),
                             href: options.followUrl.replace('TOKEN', entry.follow_token) });
        } else if (entry.slip_number) {
          link = H.el('a', { className: 'ph-follow', text: H.t('see_public_board', { n: entry.slip_number }),
                             href: options.publicUrl + '?number=' + encodeURIComponent(entry.slip_number) });
        }
        list.appendChild(H.el('li', { className: 'ph-item' }, [
          H.el('div', { className: 'ph-meta' }, [
            entry.seq ? H.el('span', { className: 'lv-seq', text: '#' + entry.seq }) : null,
            options.showScope && entry.title ? H.el('span', { className: 'lv-cat', text: entry.title }) : null,
            entry.status_label ? H.el('span', { className: 'lv-status', text: entry.status_label }) : null
          ]),
          H.el('p', { className: 'ph-text', text: entry.text || '' }),
          entry.follow_token ? null : H.el('p', { className: 'ph-sub', text: H.t('no_follow_link') }),
          link
        ]));
      });
      return entries.length;
    }
  };

  // Pages that only show the list: <ul id="mine-list" data-scope data-exclude data-follow-url data-public-url>.
  var list = H.byId('mine-list');
  if (list) {
    var scope = list.getAttribute('data-scope') || '';
    var meetingId = list.getAttribute('data-meeting-id');
    if (meetingId) { H.Mine.adoptMeetingState(meetingId, list.getAttribute('data-title') || ''); }
    var exclude = list.getAttribute('data-exclude') || '';
    var entries = [];
    H.each(H.Mine.list(scope), function (entry) { if (!exclude || entry.follow_token !== exclude) { entries.push(entry); } });
    var shown = H.Mine.render(list, entries, {
      followUrl: list.getAttribute('data-follow-url'), publicUrl: list.getAttribute('data-public-url'),
      showScope: !scope
    });
    H.show(H.byId('mine-section'), shown > 0);
    H.show(H.byId('mine-empty'), shown === 0);
  }
}(window));
