// The `html` helper escapes every interpolated value: the client's one defence
// against markup in user-supplied text. No browser needed.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { escapeHtml, html, Html, link } from '../../client/dom.js';

test('interpolated text is escaped, the template itself is not', () => {
  const name = '<img src=x onerror="alert(1)">';
  assert.equal(html`<b>${name}</b>`.text, '<b>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</b>');
});

test('quotes are escaped so a value cannot leave its attribute', () => {
  const value = `" autofocus onfocus='x' data-a=\``;
  assert.equal(html`<input value="${value}">`.text,
    '<input value="&quot; autofocus onfocus=&#39;x&#39; data-a=&#96;">');
});

test('nested html and arrays of it stay markup, their values still escaped', () => {
  const rows = ['<a>', 'b&c'].map((v) => html`<li>${v}</li>`);
  assert.equal(html`<ul>${rows}</ul>`.text, '<ul><li>&lt;a&gt;</li><li>b&amp;c</li></ul>');
});

test('null, undefined and false render nothing; numbers and zero render', () => {
  assert.equal(html`${null}${undefined}${false}|${0}|${12}`.text, '|0|12');
});

test('a string that looks like markup is never trusted as markup', () => {
  const sneaky = { toString: () => '<script>alert(1)</script>' };
  assert.equal(html`${sneaky}`.text, '&lt;script&gt;alert(1)&lt;/script&gt;');
  assert.ok(html`x` instanceof Html);
});

test('escapeHtml escapes ampersands first, so entities are not double-decoded', () => {
  assert.equal(escapeHtml('&lt;'), '&amp;lt;');
});

test('links are made only for http and https URLs', () => {
  assert.equal(link('javascript:alert(1)', 'click').text, '<span>click</span>');
  assert.match(link('https://example.com/?a=1&b="2"', 'docs').text,
    /^<a href="https:\/\/example.com\/\?a=1&amp;b=%222%22" rel="noopener noreferrer"/);
});
