// Starts the NHS.UK frontend components (header menu, error summary focus, radios' reveals).
import { initAll } from '/nhsuk/nhsuk-frontend.min.js';

initAll();
