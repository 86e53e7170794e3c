import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, escapeMarkdown, escapeXml, terminalSafe, truncate } from '../../src/report/escape.js';

test('escapeHtml escapes markup and both quote kinds', () => {
  const cases: Array<[string, string]> = [
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'], // tags
    [`"a" & 'b'`, '&quot;a&quot; &amp; &#39;b&#39;'], // attribute breakers
    ['&amp;', '&amp;amp;'], // already-escaped text is escaped again (it is data, not markup)
    ['plain', 'plain'], // untouched
    ['nul\u0000bell\u0007', 'nul\uFFFDbell\uFFFD'], // controls cannot reach the page
  ];
  for (const [input, want] of cases) assert.equal(escapeHtml(input), want, input);
});

test('escapeXml produces only characters XML 1.0 allows', () => {
  assert.equal(escapeXml(`<a b="c">'&'</a>`), '&lt;a b=&quot;c&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  assert.equal(escapeXml('x\u0001y\u001bz\uFFFE'), 'x\uFFFDy\uFFFDz\uFFFD');
  assert.equal(escapeXml('tab\tnl\n'), 'tab\tnl\n'); // allowed whitespace stays
  assert.equal(escapeXml('lone \uD800 surrogate'), 'lone \uFFFD surrogate');
  assert.equal(escapeXml('pair 😀'), 'pair 😀');
});

test('escapeMarkdown neutralises tables, code, emphasis, links and raw HTML', () => {
  const cases: Array<[string, string]> = [
    ['a|b', 'a\\|b'], // a pipe would split a table cell
    ['`code`', '\\`code\\`'], // code span
    ['*b* _i_ ~~s~~', '\\*b\\* \\_i\\_ \\~\\~s\\~\\~'], // emphasis, strike-through
    ['![img](http://x) [l](y)', '\\!\\[img\\](http://x) \\[l\\](y)'], // image and link syntax
    ['<script>&', '&lt;script&gt;&amp;'], // raw HTML (GitHub renders it)
    ['line1\nline2\r\nline3', 'line1 line2 line3'], // a newline would end a table row
    ['back\\slash', 'back\\\\slash'], // a trailing backslash would escape our own pipe
    ['# not a heading', '\\# not a heading'],
  ];
  for (const [input, want] of cases) assert.equal(escapeMarkdown(input), want, input);
});

test('terminalSafe shows control characters instead of interpreting them', () => {
  assert.equal(terminalSafe('red\u001b[31m\u0007\nnext'), 'red?[31m? next');
});

test('truncate cuts by code point and marks the cut', () => {
  assert.equal(truncate('abcdef', 4), 'abc…');
  assert.equal(truncate('abc', 4), 'abc');
  assert.equal(truncate('😀😀😀😀😀', 3), '😀😀…'); // never splits a surrogate pair
});
