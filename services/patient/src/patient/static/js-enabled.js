// The NHS.UK frontend's first-thing-in-body class switch, as a file: the CSP allows no inline
// script. Components style themselves for JavaScript only when the browser supports modules.
document.body.className +=
  ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '');
