// Tiny view helpers. Everything from the server goes in as text nodes: there is no
// innerHTML anywhere in the client.
export function h(tag, attrs, ...kids) {
  const [name, ...cls] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (cls.length) el.className = cls.join(' ');
  if (attrs) for (const k in attrs) {
    const v = attrs[k];
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className += (el.className ? ' ' : '') + v;
    else if (k in el && !k.startsWith('aria') && k !== 'list' && k !== 'role') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  add(el, kids);
  return el;
}
function add(el, kids) {
  for (const c of kids) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) add(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}
export const $ = (s, r = document) => r.querySelector(s);
export const $$ = (s, r = document) => [...r.querySelectorAll(s)];
export function clear(el, ...kids) { el.replaceChildren(); add(el, kids); return el; }

// A modal <dialog>; resolves with the value passed to close().
let dlgN = 0;
export function modal(title, body, buttons, cls) {
  const id = 'dlg-t' + ++dlgN;
  const d = h('dialog.modal' + (cls ? '.' + cls : ''), { 'aria-labelledby': id },
    h('h2', { id }, title), body, h('div.actions', null, buttons));
  document.body.append(d);
  d.addEventListener('close', () => d.remove());
  d.showModal();
  return d;
}
export function confirmBox(title, text, okLabel, cancelLabel) {
  return new Promise((res) => {
    let v = false;
    const d = modal(title, h('p', null, text), [
      h('button.btn', { type: 'button', onclick: () => d.close() }, cancelLabel),
      h('button.btn.danger', { type: 'button', onclick: () => { v = true; d.close(); } }, okLabel),
    ]);
    d.addEventListener('close', () => res(v));
    d.querySelector('.danger').focus();
  });
}
export function debounce(fn, ms) {
  let t;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}
export function toast(text) {
  const el = h('div.toast', { role: 'alert' }, text);
  document.body.append(el);
  setTimeout(() => el.remove(), 5000);
}
// Small line icons (24×24 paths), drawn as SVG so no emoji font is needed.
const ICONS = {
  clip: 'M16.5 6.5l-7.8 7.8a2 2 0 002.8 2.8l7.8-7.8a4 4 0 00-5.6-5.6L5.8 11.6a6 6 0 008.5 8.5l6.2-6.2',
  smile: 'M12 21a9 9 0 110-18 9 9 0 010 18zM8.5 14.5c1.8 2 5.2 2 7 0M9 9.5h.01M15 9.5h.01',
  send: 'M4 12l16-8-6 16-2.5-6.5z',
};
export function icon(name) {
  const ns = 'http://www.w3.org/2000/svg';
  const s = document.createElementNS(ns, 'svg'), p = document.createElementNS(ns, 'path');
  s.setAttribute('viewBox', '0 0 24 24'); s.setAttribute('width', '22'); s.setAttribute('height', '22'); s.setAttribute('aria-hidden', 'true');
  p.setAttribute('d', ICONS[name]); p.setAttribute('fill', 'none'); p.setAttribute('stroke', 'currentColor');
  p.setAttribute('stroke-width', '2'); p.setAttribute('stroke-linecap', 'round'); p.setAttribute('stroke-linejoin', 'round');
  s.append(p);
  return s;
}
