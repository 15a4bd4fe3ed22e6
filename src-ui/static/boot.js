// Starts the UI. A file rather than an inline script, so the shells' Content-Security-Policy
// can forbid inline scripts ("script-src 'self'").
import init from "./onward_ui.js";
init();
