/*
 * Small behaviours of the staff pages, without inline script (the Content-Security-Policy
 * forbids it): a form or button with data-confirm="…" asks before it submits.
 */
(function () {
  'use strict';

  function confirmed(node) {
    var question = node && node.getAttribute && node.getAttribute('data-confirm');
    return !question || window.confirm(question);
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    var button = event.submitter || document.activeElement;
    if (!confirmed(form) || (button && button.form === form && !confirmed(button))) {
      event.preventDefault();
    }
  }, true);
}());
