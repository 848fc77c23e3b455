// Start the NHS.UK frontend components (header menu, error summary focus, password toggle…).
import { initAll } from "./nhsuk-frontend.min.js";

initAll();
