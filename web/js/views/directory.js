// アドレス帳: search staff by name, reading, department or extension; start a 1対1.
import { h, clear, debounce, toast } from '../dom.js';
import { get, post } from '../api.js';
import { t } from '../i18n.js';
import { S, putRoom, putUser, emit } from '../store.js';
import { dot, absentLine } from './people.js';

let lastQ = '';
export function directory(root) {
  const q = h('input.dirq', { type: 'search', value: lastQ, placeholder: t('dirSearch'), 'aria-label': t('dirSearch') });
  const res = h('div.dir-res', { 'aria-live': 'polite' });
  clear(root, h('div.page', null, h('header.page-head', null, h('a.btn.ghost.back', { href: '#/', 'aria-label': t('back') }, '‹'), h('h1', null, t('directory'))),
    h('form.dirform', { role: 'search', onsubmit: (e) => { e.preventDefault(); run(); } }, q), res));
  let seq = 0;
  const run = async () => {
    lastQ = q.value;
    const mine = ++seq; // answers can overtake each other: only the latest query is shown
    const p = new URLSearchParams({ limit: '100' });
    if (q.value.trim()) p.set('q', q.value.trim());
    try {
      const { users } = await get('/users?' + p);
      if (mine !== seq) return;
      if (!users.length) return clear(res, h('p.empty', null, t('noResult')));
      clear(res, h('table.dir', null,
        h('thead', null, h('tr', null, [t('name'), t('dept'), t('title'), t('ext'), t('workPhone'), ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, users.map((u) => { putUser(u); return h('tr', null,
          h('td', null, h('div.pname', null, dot(u.id), ' ', u.name), h('div.sub', null, u.kana || ''), absentLine(u)),
          h('td', { 'data-l': t('dept') }, u.department || ''), h('td', { 'data-l': t('title') }, u.title || ''),
          h('td.ext', { 'data-l': t('ext') }, u.extension || ''), h('td', { 'data-l': t('workPhone') }, u.work_phone || ''),
          h('td', null, u.id === S.me.id ? h('span.tag', null, t('you')) : h('button.btn.sm.primary', { type: 'button', onclick: () => start(u) }, t('startDirect')))); }))));
    } catch (e) { toast(e.message); }
  };
  q.addEventListener('input', debounce(run, 250));
  run();
  q.focus();
}
async function start(u) {
  try {
    const r = putRoom(await post('/rooms/direct', { user_id: u.id }));
    emit('rooms');
    location.hash = '#/r/' + r.id;
  } catch (e) { toast(e.message); }
}
