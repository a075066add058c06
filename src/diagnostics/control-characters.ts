/**
 * Characters that must not reach a terminal as they are: C0 and C1 controls (ESC starts escape sequences that
 * move the cursor, clear the screen or retitle the window), bidirectional overrides and invisible format
 * characters (they reorder or hide what is shown). Tab and newline are kept. One definition for the whole
 * CLI: diagnostics, messages that echo a file name or a flag value, and text printed to a terminal.
 */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

const hex = (c: string, width: number) => c.charCodeAt(0).toString(16).padStart(width, '0');

/** In messages: visible escapes such as \x1b or \u202e. */
export const escapeControls = (s: string): string => s.replace(CONTROL, (c) => (c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));

/** On a terminal's stdout: \u001b-style escapes, which stay valid inside a JSON string. */
export const escapeControlsJsonSafe = (s: string): string => s.replace(CONTROL, (c) => `\\u${hex(c, 4)}`);

/** In a quoted source line: one replacement character each, so the caret stays aligned. */
export const maskControls = (s: string): string => s.replace(CONTROL, '\uFFFD');

// effnet's own colours are SGR sequences (ESC [ ... m); with colour on, those pass and nothing else does.
const SGR_OR_CONTROL = new RegExp(`\\x1b\\[[0-9;]*m|${CONTROL.source}`, 'g');

/** Text for stderr: every control character escaped, except SGR colour codes when colour is on. */
export function escapeForStderr(s: string, keepColour: boolean): string {
  return s.replace(SGR_OR_CONTROL, (m) => (m.length > 1 ? (keepColour ? m : escapeControls(m)) : escapeControls(m)));
}
