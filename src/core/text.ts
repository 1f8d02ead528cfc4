/**
 * The one sanitiser for text that a peer or the owner supplies and clipgate stores or shows
 * (captions, camera names, request titles from the platform, token names): bidi controls can make
 * a caption read differently from what it says (U+202E turns "gpj.exe" around), and control
 * characters break logs, terminals and MQTT payloads. They are removed, never escaped.
 *
 * Removed: C0 controls (U+0000–U+001F) and DEL, C1 controls (U+0080–U+009F), the bidi embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069), the directional marks U+200E, U+200F and
 * U+061C, and the line/paragraph separators U+2028/U+2029. Multi-line text keeps tab and newline
 * (CR LF and lone CR become LF); single-line text turns every run of them into one space.
 * Zero-width joiners stay: emoji sequences need them.
 */

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const STRIP = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const LINE_BREAKS = /\r\n?|[\u2028\u2029]/g;

export function cleanMultiline(text: string): string {
  return text.replace(LINE_BREAKS, '\n').replace(STRIP, '').trim();
}

export function cleanLine(text: string): string {
  return text.replace(LINE_BREAKS, '\n').replace(STRIP, '').replace(/[\t\n]+/g, ' ').trim();
}
