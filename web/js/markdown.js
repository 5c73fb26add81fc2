// The notes' Markdown subset (docs/api.md "Note bodies"), rendered into DOM nodes: headings,
// paragraphs with their line breaks, nested lists, tables, rules, code, and **bold**, *italic*,
// `code` and [links](…). Text goes in as text nodes only; a link is made only for the targets the
// server allows (http, https, mailto, #/…), so a body can never run script or inject markup.
import { h } from './dom.js';

const urlOk = (u) => /^(https?:\/\/[^\s"'<>\\]+|mailto:[^\s"'<>\\]+|#\/[^\s"'<>\\]*|\/(?!\/)[^\s"'<>\\]*)$/i.test(u);

export function spans(text) {
  const out = [];
  let i = 0, plain = 0;
  const flush = (upto) => { if (upto > plain) out.push(text.slice(plain, upto)); };
  while (i < text.length) {
    let node = null, next = 0;
    const c = text[i];
    if (c === '`') {
      const e = text.indexOf('`', i + 1);
      if (e > 0) { node = h('code', null, text.slice(i + 1, e)); next = e + 1; }
    } else if (c === '*' && text[i + 1] === '*') {
      const e = text.indexOf('**', i + 2);
      if (e > i + 2) { node = h('strong', null, spans(text.slice(i + 2, e))); next = e + 2; }
    } else if (c === '*' && text[i + 1] && text[i + 1] !== ' ') {
      const e = text.indexOf('*', i + 1);
      if (e > i + 1) { node = h('em', null, spans(text.slice(i + 1, e))); next = e + 1; }
    } else if (c === '[') {
      const close = text.indexOf('](', i + 1);
      const paren = close > 0 ? text.indexOf(')', close + 2) : -1;
      if (close > 0 && paren > 0 && !text.slice(i, paren).includes('\n')) {
        const url = text.slice(close + 2, paren), label = text.slice(i + 1, close);
        node = urlOk(url)
          ? h('a', url.startsWith('#') ? { href: url } : { href: url, target: '_blank', rel: 'noopener noreferrer' }, label)
          : document.createTextNode(label);
        next = paren + 1;
      }
    }
    if (node) { flush(i); out.push(node); i = plain = next; } else i++;
  }
  flush(text.length);
  // Paragraph line breaks stay line breaks.
  return out.flatMap((n) => typeof n === 'string' ? n.split('\n').flatMap((s, k) => k ? [h('br'), s] : [s]) : [n]);
}

const cells = (row) => {
  let s = row.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|')) s = s.slice(0, -1);
  return s.split('|').map((c) => c.trim());
};
const isSep = (l) => /^\s*\|[\s|:-]*-[\s|:-]*$/.test(l);
const listRe = /^( *)([-*+]|(\d{1,4})[.)]) (.*)$/;

export function render(src) {
  const lines = String(src || '').replace(/\r/g, '').split('\n');
  const out = [];
  let i = 0;
  const startsBlock = (l) => !l.trim() || l.startsWith('```') || /^#{1,3} /.test(l) || /^\s*([-*_]\s*){3,}$/.test(l) || listRe.test(l) || l.trim().startsWith('|');
  let stack = []; // open lists by nesting level: {el, ordered, last}
  const closeList = () => { stack = []; };
  while (i < lines.length) {
    const l = lines[i];
    if (!l.trim()) { closeList(); i++; continue; }
    if (l.startsWith('```')) {
      closeList();
      const body = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
      out.push(h('pre', null, h('code', null, body.join('\n'))));
      i++;
      continue;
    }
    let m;
    if ((m = /^(#{1,3}) (.*)$/.exec(l))) { closeList(); out.push(h('h' + (m[1].length + 1), null, spans(m[2]))); i++; continue; }
    if (/^\s*([-*_]\s*){3,}$/.test(l)) { closeList(); out.push(h('hr')); i++; continue; }
    if ((m = listRe.exec(l))) {
      const ordered = m[3] !== undefined;
      const level = Math.min(Math.min(2, Math.floor(m[1].length / 2)), stack.length);
      stack.length = Math.min(stack.length, level + 1);
      let top = stack[level];
      if (!top || top.ordered !== ordered) {
        const el = h(ordered ? 'ol' : 'ul');
        if (ordered && Number(m[3]) !== 1) el.start = Number(m[3]);
        if (level === 0) out.push(el); else (stack[level - 1].last || stack[level - 1].el).append(el);
        top = stack[level] = { el, ordered, last: null };
      }
      const li = h('li', null, spans(m[4]));
      top.el.append(li);
      top.last = li;
      i++;
      continue;
    }
    if (l.trim().startsWith('|')) {
      closeList();
      const table = h('table.md-table');
      const tbody = h('tbody');
      while (i < lines.length && lines[i].trim().startsWith('|')) {
        if (isSep(lines[i])) { i++; continue; }
        const header = i + 1 < lines.length && isSep(lines[i + 1]);
        const row = h('tr', null, cells(lines[i]).map((c) => h(header ? 'th' : 'td', null, spans(c))));
        if (header) table.append(h('thead', null, row)); else tbody.append(row);
        i++;
      }
      table.append(tbody);
      out.push(table);
      continue;
    }
    closeList();
    const para = [l];
    for (i++; i < lines.length && !startsBlock(lines[i]); i++) para.push(lines[i]);
    out.push(h('p', null, spans(para.join('\n'))));
  }
  return h('div.md', null, out);
}
