/*
 * The board: join QR, live counts, items by kind or by votes, and the staff controls (answer,
 * transfer, adopt/decline, merge, hide, approve, enter for someone, close).
 *
 * Two windows in a room: the presenter's board (this page, with every control and the
 * "大屏放映" panel) and the projector (?present=1: no button at all). The projector shows the
 * items newest or most-voted first, in pages that fit the screen, turning by itself; the
 * presenter's panel sets order, paging and font size through localStorage, which the other
 * window hears as `storage` events (same browser, same origin; ES5, no BroadcastChannel).
 *
 * Staff use the login cookie, so every POST carries the X-CSRFToken header from the page's
 * <meta name="csrf-token">. ES5 only, like the phone page: the lead may run it from a phone.
 */
(function (window) {
  'use strict';

  var H = window.Huitan;
  var T = H.t;
  var document = window.document;
  var root = H.byId('board');
  if (!root) { return; }

  var meetingId = parseInt(root.getAttribute('data-meeting-id'), 10);
  var itemsUrl = root.getAttribute('data-items-url');
  var closeUrl = root.getAttribute('data-close-url');
  var actionUrlTemplate = root.getAttribute('data-action-url');
  var canChair = root.getAttribute('data-can-chair') === '1';
  var presentation = root.getAttribute('data-presentation') === '1';
  var maxChars = parseInt(root.getAttribute('data-max-chars'), 10) || 500;
  var status = root.getAttribute('data-status');
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var KINDS = ['question', 'demand', 'difficulty', 'suggestion'];
  var OUTCOMES = ['answered', 'transferred', 'adopted', 'declined', 'merged', 'hidden'];
  var sortKey = 'huitan.board.sort';
  var sortMode = H.store.get(sortKey, 'kind') === 'votes' ? 'votes' : 'kind';
  var PRESENT_KEY = 'huitan.present.' + meetingId;          // what the presenter chose
  var PRESENT_STATE_KEY = 'huitan.present-state.' + meetingId;  // what the projector shows
  var FONT_PX = [24, 28, 32, 36, 42, 48];                   // body.bd-fs-N on the projector
  var PAGE_SECONDS = [0, 10, 15, 20, 30, 60];               // 0: the presenter turns the pages

  function presentSettings() {
    var saved = H.store.get(PRESENT_KEY, null) || {};
    return {
      order: saved.order === 'votes' ? 'votes' : 'newest',
      seconds: PAGE_SECONDS.indexOf(saved.seconds) >= 0 ? saved.seconds : 15,
      font: typeof saved.font === 'number' && FONT_PX[saved.font] ? saved.font : 1,
      command: saved.command || null
    };
  }
  var settings = presentSettings();
  if (presentation) { sortMode = settings.order; }
  var fresh = {};
  var initialised = false;

  function staffHeaders() { return { 'X-CSRFToken': csrfToken }; }

  function post(url, body, callback) {
    H.request('POST', url, body || {}, { headers: staffHeaders() }, callback);
  }

  function actionUrl(item, action) {
    return actionUrlTemplate.replace('/0/answer', '/' + item.id + '/' + action);
  }

  // ------------------------------------------------------------------ toast

  var toastTimer = null;
  function toast(text, isError) {
    var node = H.byId('toast');
    node.textContent = text;
    node.className = 'bd-toast' + (isError ? ' bd-toast-error' : '');
    H.show(node, true);
    if (toastTimer) { window.clearTimeout(toastTimer); }
    toastTimer = window.setTimeout(function () { H.show(node, false); }, isError ? 8000 : 4000);
  }

  // ------------------------------------------------------------------ cards

  function isLive() { return status === 'live'; }

  function card(item) {
    var open = item.status === 'open';
    var actions = null;
    if (canChair && isLive() && open && item.is_approved) {
      actions = H.el('div', { className: 'bd-actions' });
      addAction(actions, item, 'answer');
      addAction(actions, item, 'transfer');
      if (item.kind === 'suggestion') {
        addAction(actions, item, 'adopt');
        addAction(actions, item, 'decline');
      }
      addAction(actions, item, 'merge');
      addAction(actions, item, 'hide');
    }
    var who = H.submitterLabel(item);
    return H.el('li', {
      className: 'bd-card bd-st-' + item.status + (fresh[item.id] ? ' bd-fresh' : ''),
      id: 'item-' + item.id, 'data-seq': item.seq, 'data-id': item.id
    }, [
      H.el('div', { className: 'bd-card-head' }, [
        H.el('span', { className: 'lv-seq', text: '#' + item.seq }),
        sortMode === 'votes' ? H.el('span', { className: 'lv-kind lv-kind-' + item.kind, text: item.kind_label }) : null,
        item.category ? H.el('span', { className: 'lv-cat', text: item.category_label || item.category }) : null,
        item.is_urgent ? H.el('span', { className: 'lv-status lv-status-pending', text: T('urgent') }) : null,
        H.el('span', { className: 'bd-votes', title: T('votes'), text: '+' + (item.votes || 0) })
      ]),
      H.el('p', { className: 'bd-text', text: item.text }),
      H.el('div', { className: 'bd-who' }, [
        H.el('span', { text: who }),
        item.entered_by_staff ? H.el('span', { className: 'bd-tag', text: T('entered_by_staff') }) : null,
        H.el('span', { className: 'lv-status lv-status-' + item.status, text: item.status_label })
      ])
    ].concat(H.outcomeNodes(item), [actions]));
  }

  function addAction(container, item, action) {
    container.appendChild(H.el('button', {
      type: 'button', className: 'bd-btn bd-small bd-act-' + action, 'data-action': action,
      text: T('act_' + action), onclick: function () { openDialog(action, item); }
    }));
  }

  function moderationRow(item) {
    return H.el('li', { className: 'bd-mod', 'data-seq': item.seq }, [
      H.el('div', { className: 'bd-card-head' }, [
        H.el('span', { className: 'lv-seq', text: '#' + item.seq }),
        H.el('span', { className: 'lv-kind lv-kind-' + item.kind, text: item.kind_label })
      ]),
      H.el('p', { className: 'bd-mod-text', text: item.text }),
      H.el('div', { className: 'bd-actions' }, [
        H.el('button', { type: 'button', className: 'bd-btn bd-small bd-primary bd-act-approve', text: T('act_approve'),
                         onclick: function () { approve(item); } }),
        H.el('button', { type: 'button', className: 'bd-btn bd-small bd-act-hide', text: T('act_hide'),
                         onclick: function () { openDialog('hide', item); } })
      ])
    ]);
  }

  // ------------------------------------------------------------------ rendering

  function ordered(items) {
    function rank(item) {
      if (item.status === 'open') { return 0; }
      if (item.status === 'merged' || item.status === 'hidden') { return 2; }
      return 1;
    }
    var copy = items.slice();
    copy.sort(function (a, b) {
      var aside = (rank(a) === 2 ? 1 : 0) - (rank(b) === 2 ? 1 : 0);
      if (sortMode === 'newest') {
        return aside || (b.seq - a.seq);
      }
      if (sortMode === 'votes') {
        // On the projector the newer of two equally supported items comes first.
        return aside || (b.votes - a.votes) || (presentation ? b.seq - a.seq : a.seq - b.seq);
      }
      return (rank(a) - rank(b)) || (a.seq - b.seq);
    });
    return copy;
  }

  function setText(id, value) {
    var node = H.byId(id);
    if (node) { node.textContent = String(value); }
  }

  function render() {
    var all = feed.items.list();
    var shown = [];
    var pending = [];
    var counts = { total: 0, open: 0, votes: 0 };
    var outcomes = {};
    H.each(KINDS, function (k) { counts[k] = 0; });
    H.each(OUTCOMES, function (s) { outcomes[s] = 0; });

    H.each(all, function (item) {
      if (!item.is_approved) {
        if (item.status === 'open') { pending.push(item); }
        return;
      }
      var aside = item.status === 'merged' || item.status === 'hidden';
      if (outcomes.hasOwnProperty(item.status)) { outcomes[item.status] += 1; }
      if (!aside) {
        counts.total += 1;
        counts[item.kind] = (counts[item.kind] || 0) + 1;
        counts.votes += item.votes || 0;
        if (item.status === 'open') { counts.open += 1; }
      }
      // Presentation shows the room what matters; staff also see what was set aside.
      if (!aside || !presentation) { shown.push(item); }
    });

    setText('count-total', counts.total);
    setText('count-open', counts.open);
    setText('count-done', counts.total - counts.open);
    setText('count-votes', counts.votes);
    H.each(KINDS, function (k) { setText('count-' + k, counts[k]); });

    var sorted = ordered(shown);
    var itemsBox = H.byId('items');
    var isRanked = sortMode !== 'kind';
    itemsBox.className = 'bd-items ' + (isRanked ? 'bd-by-votes' : 'bd-by-kind');
    root.className = 'bd bd-mode-' + (isRanked ? 'votes' : 'kind');
    var ranked = H.byId('ranked');
    H.clear(ranked);
    H.each(KINDS, function (k) { H.clear(H.byId('column-' + k)); });
    if (isRanked) {
      H.each(sorted, function (item) { ranked.appendChild(card(item)); });
    } else {
      H.each(sorted, function (item) {
        var list = H.byId('column-' + item.kind);
        if (list) { list.appendChild(card(item)); }
      });
      H.each(KINDS, function (k) { setText('column-count-' + k, counts[k]); });
    }
    H.show(ranked, isRanked);
    H.each(itemsBox.querySelectorAll('.bd-column'), function (column) { H.show(column, !isRanked); });
    H.show(H.byId('items-empty'), shown.length === 0);
    if (presentation) { paginate(); }

    var moderation = H.byId('moderation');
    if (moderation) {
      var modList = H.byId('moderation-list');
      H.clear(modList);
      H.each(pending, function (item) { modList.appendChild(moderationRow(item)); });
      setText('moderation-count', pending.length);
      H.show(moderation, pending.length > 0 && isLive());
    }

    renderSummary(outcomes, counts, all.length);
    H.each(document.querySelectorAll('.bd-sort'), function (button) {
      button.setAttribute('aria-pressed', button.getAttribute('data-sort') === sortMode ? 'true' : 'false');
    });
  }

  var renderSoon = H.debounce(render, 50);

  function renderSummary(outcomes, counts, allCount) {
    var list = H.byId('summary');
    H.clear(list);
    var labels = T('status_labels');
    function row(label, value, extra) {
      list.appendChild(H.el('div', { className: 'bd-summary-row' + (extra ? ' ' + extra : '') }, [
        H.el('dt', { text: label }), H.el('dd', { text: String(value) })
      ]));
    }
    row(T('summary_total'), allCount, 'bd-summary-total');
    H.each(OUTCOMES, function (s) { row(labels[s] || s, outcomes[s], 'bd-summary-' + s); });
    row(T('summary_votes'), counts.votes);
  }

  // ------------------------------------------------------------------ meeting status

  function setStatus(next) {
    if (!next) { return; }
    var changed = next !== status;
    status = next;
    root.setAttribute('data-status', status);
    var badge = H.byId('bd-status');
    badge.textContent = T('status_' + status);
    badge.className = 'bd-status bd-status-' + status;
    H.show(H.byId('join-panel'), status === 'live' || status === 'planned');
    H.show(H.byId('not-started'), status === 'planned');
    H.show(H.byId('summary-panel'), status === 'closed');
    H.show(H.byId('counts-panel'), status !== 'closed');
    H.show(H.byId('close-meeting'), status === 'live');
    H.show(H.byId('staff-entry-open'), status === 'live');
    if (status === 'closed') {
      H.show(H.byId('close-problem'), false);
      closeDialog();
      if (changed && initialised) { toast(T('closed_toast')); }
    }
    if (changed) { render(); }
  }

  // ------------------------------------------------------------------ dialog

  var dialog = H.byId('dialog');
  var dialogState = null;

  function field(id) { return H.byId(id); }

  function openDialog(mode, item) {
    if (!dialog) { return; }
    dialogState = { mode: mode, item: item, clientId: mode === 'entry' ? H.newClientId() : null };
    H.byId('dialog-title').textContent = T('title_' + mode) + (item ? ' #' + item.seq : '');
    var quote = H.byId('dialog-item');
    quote.textContent = item ? item.text : '';
    H.show(quote, !!item);
    H.each(dialog.querySelectorAll('.bd-field'), function (node) {
      var modes = ' ' + node.getAttribute('data-for') + ' ';
      H.show(node, modes.indexOf(' ' + mode + ' ') >= 0);
    });
    H.each(['f-answer', 'f-explanation', 'f-reason', 'f-target', 'f-entry-text', 'f-entry-name'], function (id) {
      field(id).value = '';
    });
    field('f-target-preview').textContent = '';
    say(H.byId('dialog-error'), '');
    H.byId('dialog-submit').disabled = false;
    H.show(dialog, true);
    updateEntryCounter();
    var first = dialog.querySelector('.bd-field:not([hidden]) textarea, .bd-field:not([hidden]) select, .bd-field:not([hidden]) input');
    if (first && first.focus) { first.focus(); }
  }

  function closeDialog() {
    if (dialog) { H.show(dialog, false); }
    dialogState = null;
  }

  function say(node, text) {
    node.textContent = text || '';
    H.show(node, !!text);
  }

  function updateEntryCounter() {
    var node = field('f-entry-counter');
    if (node) { node.textContent = T('chars', { n: H.charCount(H.trim(field('f-entry-text').value)), max: maxChars }); }
  }

  /** Read and check the dialog's fields; returns [url, body] or a message string. */
  function dialogRequest(mode, item) {
    var body = {};
    if (mode === 'answer') {
      body.answer = H.trim(field('f-answer').value);
      if (!body.answer) { return T('need_answer'); }
    } else if (mode === 'transfer' || mode === 'adopt') {
      body.department_id = parseInt(field('f-department').value, 10);
      body.due_date = field('f-due').value;
      if (!body.department_id) { return T('need_department'); }
      if (!body.due_date) { return T('need_due'); }
    } else if (mode === 'decline') {
      body.explanation = H.trim(field('f-explanation').value);
      if (!body.explanation) { return T('need_explanation'); }
    } else if (mode === 'merge') {
      var seq = parseInt(field('f-target').value, 10);
      if (!seq) { return T('need_target'); }
      var target = feed.items.bySeq(seq);
      if (!target) { return T('no_such_seq', { seq: seq }); }
      if (target.id === item.id) { return T('same_item'); }
      body.target_id = target.id;
    } else if (mode === 'hide') {
      body.reason = H.trim(field('f-reason').value);
      if (!body.reason) { return T('need_reason'); }
    } else if (mode === 'entry') {
      var text = H.trim(field('f-entry-text').value);
      var n = H.charCount(text);
      body = { client_id: dialogState.clientId, kind: field('f-entry-kind').value, text: text,
               category: field('f-entry-category').value || null, anonymity: field('f-entry-anonymity').value,
               submitter_name: H.trim(field('f-entry-name').value) || null };
      if (!body.kind) { return T('need_kind'); }
      if (!text) { return T('need_text'); }
      if (n > maxChars) { return T('too_long', { max: maxChars, n: n }); }
      return [itemsUrl, body];
    }
    return [actionUrl(item, mode), body];
  }

  function doneMessage(mode, item, data) {
    var params = { seq: item ? item.seq : '', number: data && data.slip ? data.slip.number : '',
                   target: field('f-target').value };
    return T('done_' + mode, params);
  }

  if (dialog) {
    H.on(H.byId('dialog-cancel'), 'click', closeDialog);
    H.on(dialog, 'click', function (event) { if (event.target === dialog) { closeDialog(); } });
    H.on(document, 'keydown', function (event) {
      if ((event.key === 'Escape' || event.keyCode === 27) && dialogState) { closeDialog(); }
    });
    H.on(field('f-entry-text'), 'input', updateEntryCounter);
    H.on(field('f-target'), 'input', function () {
      var target = feed.items.bySeq(parseInt(field('f-target').value, 10));
      field('f-target-preview').textContent = target ? target.text : '';
    });
    H.on(H.byId('dialog-form'), 'submit', function (event) {
      event.preventDefault();
      if (!dialogState) { return; }
      var mode = dialogState.mode;
      var item = dialogState.item;
      var request = dialogRequest(mode, item);
      var errorNode = H.byId('dialog-error');
      if (typeof request === 'string') { say(errorNode, request); return; }
      say(errorNode, '');
      var submit = H.byId('dialog-submit');
      submit.disabled = true;
      post(request[0], request[1], function (code, data) {
        submit.disabled = false;
        if (code >= 200 && code < 300 && data) {
          feed.accept(data.item || data);
          toast(doneMessage(mode, item, data));
          closeDialog();
        } else if (mode === 'entry' && H.isTransient(code)) {
          // Keep the entry (same client_id) and retry in the background: never lost, never twice.
          staffOutbox.add(request[1]);
          toast(T('entry_pending'), true);
          closeDialog();
        } else {
          say(errorNode, H.errorMessage(code, data));
        }
      });
    });
  }

  function approve(item) {
    post(actionUrl(item, 'approve'), {}, function (code, data) {
      if (code === 200 && data) {
        feed.accept(data);
        toast(T('done_approve', { seq: item.seq }));
      } else {
        toast(H.errorMessage(code, data), true);
      }
    });
  }

  var staffOutbox = new H.Outbox('huitan.staff-outbox.' + meetingId, function (entry, done) {
    post(itemsUrl, entry.payload, function (code, data) {
      if ((code === 200 || code === 201) && data && data.id) {
        feed.accept(data);
        done('ok');
      } else if (H.isTransient(code)) {
        done('retry', H.errorMessage(code, data));
      } else {
        toast(H.errorMessage(code, data), true);
        done('fail', H.errorMessage(code, data));
      }
    });
  });

  // ------------------------------------------------------------------ projector: pages

  var pager = { pages: [], index: 0, timer: null, newestSeq: 0 };

  /** Split the ranked cards into screenfuls, row by row (a grid row never splits). */
  function paginate() {
    var list = H.byId('ranked');
    var cards = list.children;
    var i;
    for (i = 0; i < cards.length; i++) { cards[i].removeAttribute('hidden'); }
    var bar = H.byId('pager');
    var room = window.innerHeight - list.getBoundingClientRect().top - (bar ? bar.offsetHeight || 48 : 0) - 24;
    var rows = [];
    for (i = 0; i < cards.length; i++) {
      var top = cards[i].offsetTop;
      var row = rows.length ? rows[rows.length - 1] : null;
      if (!row || row.top !== top) { row = { top: top, bottom: top, cards: [] }; rows.push(row); }
      row.cards.push(cards[i]);
      row.bottom = Math.max(row.bottom, top + cards[i].offsetHeight);
    }
    var pages = [];
    var page = null;
    H.each(rows, function (r) {
      if (!page || (r.bottom - page.top > room && page.cards.length)) {
        page = { top: r.top, cards: [] };
        pages.push(page);
      }
      page.cards = page.cards.concat(r.cards);
    });
    var newest = 0;
    H.each(feed.items.list(), function (item) { if (item.seq > newest) { newest = item.seq; } });
    // A new item is on the first page when the newest come first: show it at once.
    if (newest > pager.newestSeq && sortMode === 'newest') { pager.index = 0; }
    pager.newestSeq = newest;
    pager.pages = pages;
    if (pager.index >= pages.length) { pager.index = 0; }
    showPage();
  }

  function showPage() {
    var pages = pager.pages;
    H.each(pages, function (page, n) {
      H.each(page.cards, function (node) { H.show(node, n === pager.index); });
    });
    var several = pages.length > 1;
    H.show(H.byId('pager'), several);
    if (several) {
      setText('pager-text', T('pager', { page: pager.index + 1, pages: pages.length }) + ' · ' +
              (settings.seconds ? T('pager_auto', { n: settings.seconds }) : T('pager_paused')));
      // Restart the countdown bar: a fresh element restarts its CSS animation.
      var bar = H.byId('pager-bar');
      var fresh = H.el('span', { id: 'pager-bar', className: 'bd-pager-bar' + (settings.seconds ? ' bd-run-' + settings.seconds : '') });
      bar.parentNode.replaceChild(fresh, bar);
    }
    H.store.set(PRESENT_STATE_KEY, { page: pager.index + 1, pages: Math.max(pages.length, 1), at: new Date().getTime() });
    schedulePage();
  }

  function schedulePage() {
    if (pager.timer) { window.clearTimeout(pager.timer); pager.timer = null; }
    if (settings.seconds && pager.pages.length > 1) {
      pager.timer = window.setTimeout(function () { turnPage(1); }, settings.seconds * 1000);
    }
  }

  function turnPage(step) {
    var count = Math.max(pager.pages.length, 1);
    pager.index = (pager.index + step + count) % count;
    showPage();
  }

  function applyFont() {
    var body = document.body;
    body.className = body.className.replace(/\s*bd-fs-\d+/g, '') + ' bd-fs-' + settings.font;
  }

  /** The projector follows the presenter: a new order or font, or a page command. */
  function followPresenter() {
    var previous = settings;
    settings = presentSettings();
    if (settings.font !== previous.font) { applyFont(); }
    if (settings.order !== sortMode) {
      sortMode = settings.order;
      pager.index = 0;
      render();
    } else if (settings.font !== previous.font) {
      render();
    } else if (settings.seconds !== previous.seconds) {
      showPage();
    }
    var command = settings.command;
    if (command && (!previous.command || command.at !== previous.command.at)) {
      turnPage(command.name === 'prev' ? -1 : 1);
    }
  }

  if (presentation) {
    applyFont();
    H.on(window, 'storage', function (event) { if (event.key === PRESENT_KEY) { followPresenter(); } });
    H.on(window, 'resize', H.debounce(render, 200));
  }

  // ------------------------------------------------------------------ presenter's panel

  function saveSettings(changes) {
    var next = presentSettings();
    for (var key in changes) { if (changes.hasOwnProperty(key)) { next[key] = changes[key]; } }
    H.store.set(PRESENT_KEY, next);
    if (presentation) {
      followPresenter();  // compares with the settings in force, then takes the new ones
    } else {
      settings = next;
      showSettings();
    }
  }

  function showSettings() {
    H.each(document.querySelectorAll('.bd-present-order'), function (button) {
      button.setAttribute('aria-pressed', button.getAttribute('data-order') === settings.order ? 'true' : 'false');
    });
    var seconds = H.byId('present-seconds');
    if (seconds) { seconds.value = String(settings.seconds); }
    setText('present-font', T('font_size', { px: FONT_PX[settings.font] }));
    var state = H.store.get(PRESENT_STATE_KEY, null);
    setText('present-state', state && state.pages ? T('present_state', state) : '');
  }

  if (!presentation && H.byId('present-panel')) {
    H.each(document.querySelectorAll('.bd-present-order'), function (button) {
      H.on(button, 'click', function () { saveSettings({ order: button.getAttribute('data-order') }); });
    });
    H.on(H.byId('present-prev'), 'click', function () { saveSettings({ command: { name: 'prev', at: new Date().getTime() } }); });
    H.on(H.byId('present-next'), 'click', function () { saveSettings({ command: { name: 'next', at: new Date().getTime() } }); });
    H.on(H.byId('present-seconds'), 'change', function () {
      saveSettings({ seconds: parseInt(H.byId('present-seconds').value, 10) || 0 });
    });
    H.on(H.byId('present-font-down'), 'click', function () { saveSettings({ font: Math.max(settings.font - 1, 0) }); });
    H.on(H.byId('present-font-up'), 'click', function () {
      saveSettings({ font: Math.min(settings.font + 1, FONT_PX.length - 1) });
    });
    H.on(window, 'storage', function (event) {
      if (event.key === PRESENT_STATE_KEY || event.key === PRESENT_KEY) { settings = presentSettings(); showSettings(); }
    });
    showSettings();
  }

  // ------------------------------------------------------------------ toolbar

  H.each(document.querySelectorAll('.bd-sort'), function (button) {
    H.on(button, 'click', function () {
      sortMode = button.getAttribute('data-sort') === 'votes' ? 'votes' : 'kind';
      H.store.set(sortKey, sortMode);
      render();
    });
  });

  H.on(H.byId('staff-entry-open'), 'click', function () { openDialog('entry', null); });

  H.on(H.byId('close-problem-dismiss'), 'click', function () { H.show(H.byId('close-problem'), false); });

  function showCloseProblem(message, items) {
    H.byId('close-problem-title').textContent = message;
    var list = H.byId('close-problem-list');
    H.clear(list);
    H.each(items || [], function (row) {
      var link = H.el('a', { href: '#item-' + row.id, text: '#' + row.seq + ' ' + row.text });
      H.on(link, 'click', function (event) {
        var target = H.byId('item-' + row.id);
        if (target) {
          event.preventDefault();
          target.scrollIntoView();
          target.className += ' bd-flash';
        }
      });
      list.appendChild(H.el('li', null, [link]));
    });
    H.show(H.byId('close-problem'), true);
  }

  H.on(H.byId('close-meeting'), 'click', function () {
    // Check first: items without an outcome block closing, so show them instead of asking
    // "end the meeting?" (the server checks again; this only spares a pointless question).
    var open = [];
    H.each(feed.items.list(), function (item) {
      if (item.status === 'open') { open.push({ id: item.id, seq: item.seq, text: item.text }); }
    });
    if (open.length) {
      open.sort(function (a, b) { return a.seq - b.seq; });
      showCloseProblem(T('close_blocked', { n: open.length }), open);
      return;
    }
    if (!window.confirm(T('close_confirm'))) { return; }
    post(closeUrl, {}, function (code, data) {
      if (code === 200 && data) {
        setStatus(data.status);
      } else if (code === 409 && data && data.error && data.error.details && data.error.details.items) {
        var items = data.error.details.items;
        showCloseProblem(T('close_blocked', { n: items.length }), items);
      } else {
        toast(H.errorMessage(code, data), true);
      }
    });
  });

  if (presentation) {
    H.on(document, 'keydown', function (event) {
      var key = event.key;
      // Esc leaves the clean presentation for the board with staff controls.
      if (key === 'Escape' || event.keyCode === 27) {
        window.location.href = window.location.pathname;
      } else if (key === 'ArrowRight' || key === 'PageDown' || key === ' ') {
        event.preventDefault();
        turnPage(1);
      } else if (key === 'ArrowLeft' || key === 'PageUp') {
        turnPage(-1);
      } else if (key === '+' || key === '=') {
        saveSettings({ font: Math.min(settings.font + 1, FONT_PX.length - 1) });
      } else if (key === '-') {
        saveSettings({ font: Math.max(settings.font - 1, 0) });
      }
    });
  }

  // ------------------------------------------------------------------ live feed

  var feed = new H.LiveFeed({
    meetingId: meetingId,
    itemsUrl: itemsUrl,
    headers: staffHeaders,
    everySeq: true,
    onChange: function (changed) {
      if (initialised) {
        H.each(changed, function (item) {
          if (!fresh[item.id] && item.status === 'open' && item.votes === 0) {
            fresh[item.id] = true;
            window.setTimeout(function () { delete fresh[item.id]; }, 6000);
          }
        });
      }
      initialised = true;
      renderSoon();
    },
    onMeeting: setStatus,
    onConnection: function (state) {
      var conn = H.byId('conn');
      conn.textContent = T(state);
      conn.className = 'conn conn-' + state;
      if (state === 'online') {
        initialised = true;
        staffOutbox.kick();
      }
    },
    onAuthError: function () { toast(T('login_lost'), true); }
  });

  setStatus(status);
  render();
  feed.start();
})(window);
