// Starts the NHS.UK frontend components (header menu, error summary focus, radios' reveals).
import { initAll } from '/nhsuk/nhsuk-frontend.min.js';

initAll();

// NHS.UK frontend 10.6 marks a radio or checkbox that reveals a question with aria-expanded,
// which ARIA does not allow on those roles (axe: aria-allowed-attr). The reveal works the same
// without it, so it is taken off whenever the library sets it.
document
  .querySelectorAll('.nhsuk-radios__input[aria-controls], .nhsuk-checkboxes__input[aria-controls]')
  .forEach(function (input) {
    input.removeAttribute('aria-expanded');
    new MutationObserver(function () {
      if (input.hasAttribute('aria-expanded')) input.removeAttribute('aria-expanded');
    }).observe(input, { attributes: true, attributeFilter: ['aria-expanded'] });
  });
