// The message box: a live character and text-message count (as the review counts), unknown
// placeholders and special characters shown as they are typed, and buttons that insert
// ((first_name)), ((last_name)) and ((practice_name)) at the cursor. Without JavaScript the
// form still works: the server checks placeholders, and the review counts everything.
(function () {
  'use strict';
  var box = document.getElementById('body');
  var sizeOut = document.getElementById('message-size');
  var problems = document.getElementById('message-problems');
  if (!box || !sizeOut || !window.CohortSms) return;
  var sms = sizeOut.getAttribute('data-sms') === 'true';

  function plural(n, word) { return n.toLocaleString('en-GB') + ' ' + word + (n === 1 ? '' : 's'); }

  function update() {
    var text = box.value.replace(/\r\n/g, '\n');
    var size = window.CohortSms.size(text);
    sizeOut.textContent = sms
      ? plural(text.length, 'character') + ', ' + plural(size.fragments, 'text message') +
        (size.unicode ? ' (special characters: 70 characters per text message)' : '') +
        ' before patients\u2019 details are filled in'
      : plural(text.length, 'character');
    var lines = [];
    window.CohortSms.unknownPlaceholders(text).forEach(function (name) {
      lines.push('((' + name + ')) is not a placeholder we can fill in. Use ((first_name)), ((last_name)) or ((practice_name)).');
    });
    if (sms) {
      window.CohortSms.nonGsm(text).forEach(function (c) {
        lines.push('\u201c' + c.character + '\u201d is a special character' +
          (c.suggestion ? ': use \u201c' + c.suggestion + '\u201d instead.' : ': remove it.'));
      });
    }
    problems.replaceChildren();
    if (lines.length) {
      var list = document.createElement('ul');
      list.className = 'nhsuk-list app-message-problems__list';
      lines.forEach(function (line) {
        var item = document.createElement('li');
        item.textContent = line;
        list.appendChild(item);
      });
      problems.appendChild(list);
    }
  }

  document.querySelectorAll('[data-placeholders]').forEach(function (el) { el.hidden = false; });
  document.querySelectorAll('[data-insert]').forEach(function (button) {
    button.addEventListener('click', function () {
      var text = button.getAttribute('data-insert');
      var start = box.selectionStart, end = box.selectionEnd;
      box.setRangeText(text, start, end, 'end');
      box.focus();
      update();
    });
  });
  box.addEventListener('input', update);
  update();
})();
