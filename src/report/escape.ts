// Escaping for every output format. Any string that came from a scenario or a target (names, labels, field names,
// error codes, URLs, hostnames) goes through one of these before it reaches a report.

// C0 controls except tab/newline/CR, DEL, C1 controls, lone surrogates and the two non-characters: none of them are
// legal in XML 1.0 and all of them can corrupt a terminal or a Markdown table.
// eslint-disable-next-line no-control-regex
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value for HTML (both contexts: quotes are escaped too). */
export function escapeHtml(value: unknown): string {
  return String(value).replace(XML_ILLEGAL, '\uFFFD').replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/** Text or attribute value for XML 1.0; characters XML cannot carry at all are replaced by U+FFFD. */
export function escapeXml(value: unknown): string {
  return String(value)
    .replace(XML_ILLEGAL, '\uFFFD')
    .replace(/[&<>"']/g, (c) => (c === "'" ? '&apos;' : HTML_ENTITIES[c]!));
}

/**
 * Inline Markdown text (a table cell, a heading, a paragraph). CommonMark lets any ASCII punctuation be backslash-
 * escaped; we escape the characters that start emphasis, code, links, images, tables or strike-through, and use
 * entities for `<`, `>`, `&` so no raw HTML survives (GitHub renders raw HTML in comments). Newlines would end a
 * table row, so they become spaces.
 */
export function escapeMarkdown(value: unknown): string {
  return String(value)
    .replace(XML_ILLEGAL, '\uFFFD')
    .replace(/\r\n|[\r\n\t]/g, ' ')
    .replace(/[\\`*_[\]|~!#]/g, (c) => '\\' + c)
    .replace(/[&<>]/g, (c) => HTML_ENTITIES[c]!);
}

/** One line of terminal text: control characters (ANSI escapes included) are shown as `?`, never interpreted. */
export function terminalSafe(value: unknown): string {
  return String(value).replace(/\r\n|[\r\n\t]/g, ' ').replace(XML_ILLEGAL, '?');
}

/** Cut a string to at most `max` characters (by code point), marking the cut with an ellipsis. */
export function truncate(value: string, max: number): string {
  const chars = Array.from(value);
  if (chars.length <= max) return value;
  return chars.slice(0, Math.max(0, max - 1)).join('') + '…';
}

/** JSON safe inside a <script> element: no `</script`, no `<!--`, no line separators that end a JS string. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
