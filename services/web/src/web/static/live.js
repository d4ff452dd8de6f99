// The campaign page's live progress: counts and status from the server-sent event stream
// (EventSource reconnects by itself, sending Last-Event-ID). Without JavaScript the page shows
// the counts as they were when it loaded.
(function () {
  'use strict';
  var root = document.getElementById('live-progress');
  if (!root || !window.EventSource) return;
  var TAGS = {
    draft: ['Draft', 'nhsuk-tag--grey'],
    awaiting_approval: ['Waiting for approval', 'nhsuk-tag--yellow'],
    scheduled: ['Scheduled', 'nhsuk-tag--purple'],
    sending: ['Sending', 'nhsuk-tag--blue'],
    paused: ['Paused', 'nhsuk-tag--orange'],
    completed: ['Sent', 'nhsuk-tag--green'],
    cancelled: ['Cancelled', 'nhsuk-tag--red']
  };
  var status = root.getAttribute('data-status');
  var held = root.getAttribute('data-held-until') || null;
  var source = new EventSource(root.getAttribute('data-events-url'));

  function set(selector, value) {
    root.querySelectorAll(selector).forEach(function (el) { el.textContent = value.toLocaleString('en-GB'); });
  }

  source.addEventListener('open', function () { root.setAttribute('data-live', 'connected'); });
  source.addEventListener('error', function () { root.setAttribute('data-live', 'reconnecting'); });
  source.addEventListener('progress', function (event) {
    var data = JSON.parse(event.data);
    var counts = data.counts;
    Object.keys(counts).forEach(function (key) { set('[data-count="' + key + '"]', counts[key]); });
    set('[data-field="settled"]', counts.delivered + counts.failed + counts.cancelled);
    var refresh = false;
    if (data.status !== status) {
      status = data.status;
      var tag = TAGS[status] || [status, 'nhsuk-tag--grey'];
      var el = root.querySelector('[data-field="status-tag"] .nhsuk-tag');
      if (el) { el.textContent = tag[0]; el.className = 'nhsuk-tag ' + tag[1]; }
      var said = root.querySelector('[data-field="announcement"]');
      if (said) said.textContent = 'Campaign status: ' + tag[0];
      root.setAttribute('data-status', status);
      refresh = true;
    }
    // Quiet hours hold a sending campaign without changing its status.
    if ((data.held_until || null) !== held) {
      held = data.held_until || null;
      refresh = true;
    }
    // What can be done now (cancel, resume) and what is said about a hold follow both.
    if (refresh && window.htmx) {
      window.htmx.ajax('GET', window.location.pathname + '?block=actions',
        { target: '#campaign-actions', swap: 'outerHTML' });
    }
    root.setAttribute('data-updated', String(Date.now()));
  });
})();
