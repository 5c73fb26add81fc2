// Creating a room (name, topic, members) and the member picker it shares with 招待:
// search the directory by words or pick a department.
import { h, clear, modal, debounce, toast } from '../dom.js';
import { get, post } from '../api.js';
import { t } from '../i18n.js';
import { S, putRoom, emit } from '../store.js';
import { dot, who } from './people.js';

let depts = null;
function picker(exclude) {
  const chosen = new Map();
  const q = h('input', { type: 'search', placeholder: t('dirSearch'), 'aria-label': t('search') });
  const dep = h('select', { 'aria-label': t('dept') }, h('option', { value: '' }, t('dept') + ': —'));
  const res = h('ul.plist.pick', { 'aria-live': 'polite' });
  const sel = h('div.chips', { 'aria-label': t('pickMembers') });
  const count = h('span.sub');
  (depts ? Promise.resolve(depts) : get('/departments').then((d) => (depts = d.departments))).then((ds) => {
    for (const d of ds) dep.append(h('option', { value: d.id }, d.path || d.name));
  }).catch(() => {});
  const paintSel = () => {
    count.textContent = t('selected', chosen.size);
    clear(sel, [...chosen.values()].map((u) => h('button.chip', { type: 'button', 'aria-label': u.name + ' ×', onclick: () => { chosen.delete(u.id); paintSel(); search(); } }, u.name, ' ×')));
  };
  let seq = 0;
  const search = debounce(async () => {
    const mine = ++seq;
    const p = new URLSearchParams({ limit: '50' });
    if (q.value.trim()) p.set('q', q.value.trim());
    if (dep.value) p.set('department_id', dep.value);
    try {
      const { users } = await get('/users?' + p);
      if (mine !== seq) return;
      clear(res, users.filter((u) => u.id !== S.me.id && !exclude.has(u.id)).map((u) => {
        const cb = h('input', { type: 'checkbox', checked: chosen.has(u.id), onchange: () => { cb.checked ? chosen.set(u.id, u) : chosen.delete(u.id); paintSel(); } });
        return h('li', null, h('label.pickrow', null, cb, dot(u.id), h('span.pinfo', null, h('span.pname', null, u.name), h('span.sub', null, who(u)))));
      }));
      if (!res.children.length) res.append(h('li.empty', null, t('noResult')));
    } catch (e) { toast(e.message); }
  }, 200);
  const allBtn = h('button.btn.sm', { type: 'button', onclick: () => {
    for (const cb of res.querySelectorAll('input[type=checkbox]:not(:checked)')) { cb.checked = true; cb.dispatchEvent(new Event('change')); }
  } }, t('selectShown'));
  q.addEventListener('input', search); dep.addEventListener('change', search);
  search(); paintSel();
  return { el: h('fieldset.picker-f', null, h('legend', null, t('pickMembers'), ' ', count), h('div.prow', null, q, dep, allBtn), sel, res), chosen, focus: () => q.focus() };
}

export function pickMembers(title, exclude) {
  return new Promise((resolve) => {
    const p = picker(exclude);
    let ok = false;
    const d = modal(title, p.el, [h('button.btn', { type: 'button', onclick: () => d.close() }, t('cancel')),
      h('button.btn.primary', { type: 'button', onclick: () => { ok = true; d.close(); } }, t('invite'))], 'wide');
    d.addEventListener('close', () => resolve(ok ? [...p.chosen.keys()] : null));
    p.focus();
  });
}

export function newRoomDialog() {
  const p = picker(new Set());
  const name = h('input', { name: 'name', required: true, maxLength: 100 });
  const topic = h('textarea', { name: 'topic', maxLength: 1000, rows: 2 });
  const err = h('p.error', { role: 'alert' });
  const form = h('form.newroom', null, h('label', null, t('roomName'), name), h('label', null, t('topic'), topic), p.el, err);
  const d = modal(t('newRoom'), form, [h('button.btn', { type: 'button', onclick: () => d.close() }, t('cancel')),
    h('button.btn.primary', { type: 'button', onclick: () => form.requestSubmit() }, t('create'))], 'wide');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!name.value.trim()) { err.textContent = t('roomName'); name.focus(); return; }
    try {
      const r = await post('/rooms', { name: name.value.trim(), topic: topic.value, member_ids: [...p.chosen.keys()], kind: 'group' });
      putRoom(r); emit('rooms'); d.close();
      location.hash = '#/r/' + r.id;
    } catch (x) { err.textContent = x.message; }
  });
  name.focus();
}
