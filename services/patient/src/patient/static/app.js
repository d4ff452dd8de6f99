// Starts the NHS.UK frontend components (error summary focus, radios' reveals). Every page
// works without it.
import { initAll } from '/nhsuk/nhsuk-frontend.min.js';

initAll();
