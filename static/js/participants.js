/*
 * The participant list page: counts the ticked people against the meeting's cap, marks the
 * ticked rows, and keeps the save buttons off while the list is over the cap (the server
 * refuses it anyway with a clear message). ES5 (WeChat's browser).
 */
(function (document) {
  'use strict';
  var form = document.getElementById('pick-form');
  if (!form) { return; }
  var cap = parseInt(form.getAttribute('data-cap'), 10) || 0;
  var count = document.getElementById('pick-count');
  var over = document.getElementById('pick-over');
  var buttons = form.querySelectorAll('button[name="action"]');

  function update() {
    var boxes = form.querySelectorAll('input[name="person_id"]');
    var ticked = 0;
    for (var i = 0; i < boxes.length; i++) {
      var row = boxes[i].parentNode.parentNode;
      if (boxes[i].checked) {
        ticked += 1;
        row.className = row.className.replace(/\s*is-checked/g, '') + ' is-checked';
      } else {
        row.className = row.className.replace(/\s*is-checked/g, '');
      }
    }
    count.textContent = String(ticked);
    var tooMany = cap > 0 && ticked > cap;
    if (over) { over.hidden = !tooMany; }
    for (var j = 0; j < buttons.length; j++) { buttons[j].disabled = tooMany; }
  }

  form.addEventListener('change', update, false);
  update();
}(document));
