// People bits shared by every view: presence dots (kept live) and name lines.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { S, on, presenceOf } from '../store.js';

const label = { online: 'online', away: 'away', offline: 'offlineP', absent: 'absent' };
function paint(el, id) {
  const p = presenceOf(id);
  el.className = 'dot ' + p;
  el.title = t(label[p] || 'offlineP');
  el.setAttribute('aria-label', el.title);
}
export function dot(id) {
  const el = h('span', { role: 'img', 'data-uid': id });
  paint(el, id);
  return el;
}
on('presence', (id) => { for (const el of document.querySelectorAll(`.dot[data-uid="${Number(id)}"]`)) paint(el, id); });

export function who(u) { // 所属 / 役職 line, same-name colleagues are common
  return [u.department, u.title].filter(Boolean).join(' / ');
}
export function absentLine(u) {
  if (!u || !u.absent) return null;
  const until = u.absent.until ? new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(u.absent.until)) : '';
  return h('div.absent', null, t('absentUntilTxt', until), u.absent.note ? ' — ' + u.absent.note : '');
}
export function userRow(u, extra) {
  return h('div.person', null, dot(u.id),
    h('div.pinfo', null, h('div.pname', null, u.name, u.kana ? h('span.kana', null, u.kana) : null),
      h('div.sub', null, who(u)), absentLine(u)),
    extra || null);
}
export { S };
