// The room list: filter, sections (1対1 / グループ / 所属 / お知らせ), unread badges,
// mention highlight, archived rooms behind a toggle. Re-rendered at most once a frame.
import { h, clear } from '../dom.js';
import { get } from '../api.js';
import { t, fmtShort } from '../i18n.js';
import { S, on, roomName } from '../store.js';
import { dot } from './people.js';
import { newRoomDialog } from './newroom.js';

const SECTIONS = [['direct', 'direct'], ['group', 'group'], ['department', 'department'], ['announcement', 'announcement']];
export function roomList(root) {
  let q = '', archived = null, showArch = false, queued = false;
  const filter = h('input.filter', { type: 'search', placeholder: t('filter'), 'aria-label': t('filter') });
  const list = h('nav.rooms', { 'aria-label': t('talk') });
  filter.addEventListener('input', () => { q = filter.value.trim().toLowerCase(); render(); });
  clear(root, h('div.rooms-head', null, filter,
    h('button.btn.icon', { type: 'button', title: t('newRoom'), 'aria-label': t('newRoom'), onclick: newRoomDialog }, '+')), list);
  list.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const items = [...list.querySelectorAll('a.room')], i = items.indexOf(document.activeElement);
    if (i < 0) return;
    e.preventDefault();
    items[Math.max(0, Math.min(items.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)))].focus();
  });
  const schedule = () => { if (!queued) { queued = true; requestAnimationFrame(render); } };
  on('rooms', schedule); on('route', schedule);

  function item(r) {
    const last = r.last_message;
    const preview = !last ? (r.topic || '') : last.deleted ? t('recalled') : last.stamp ? t('stampMsg') : (last.text || (last.files?.length ? t('fileMsg') : ''));
    const a = h('a.room', { href: '#/r/' + r.id, class: (r.unread ? 'unread' : '') + (r.mention ? ' has-mention' : ''), 'aria-current': r.id === S.active ? 'page' : null },
      r.kind === 'direct' && r.partner ? dot(r.partner.id) : h('span.ricon.k-' + r.kind, { 'aria-hidden': 'true' }, (roomName(r)[0] || '#')),
      h('span.rbody', null,
        h('span.rtop', null, h('span.rname', null, roomName(r)), h('time.rtime', null, fmtShort(r.last_activity_at))),
        h('span.rprev', null, preview.slice(0, 80))),
      r.mention ? h('span.at', { title: t('mentionMark'), 'aria-label': t('mentionMark') }, '@') : null,
      r.unread ? h('span.badge', { 'aria-label': t('unreadN', r.unread) }, r.unread > 999 ? '999+' : String(r.unread)) : null);
    return a;
  }
  function render() {
    queued = false;
    const match = (r) => !q || roomName(r).toLowerCase().includes(q) || (r.partner?.kana || '').includes(q);
    const rooms = [...S.rooms.values()].filter((r) => !r.archived && match(r))
      .sort((a, b) => (b.last_activity_at || b.created_at || '').localeCompare(a.last_activity_at || a.created_at || ''));
    const out = [];
    for (const [kind, key] of SECTIONS) {
      const rs = rooms.filter((r) => r.kind === kind);
      if (!rs.length) continue;
      const unread = rs.reduce((n, r) => n + (r.unread || 0), 0);
      out.push(h('section.rsec', null, h('h2', null, t(key), unread ? h('span.sec-n', null, String(unread)) : null),
        h('div', { role: 'list' }, rs.map((r) => h('div', { role: 'listitem' }, item(r))))));
    }
    if (!out.length) out.push(h('p.empty', null, t('noRooms')));
    const archBtn = h('button.btn.link.arch', { type: 'button', 'aria-expanded': String(showArch), onclick: toggleArch },
      t('archived') + (archived ? ` (${archived.length})` : ''));
    out.push(h('section.rsec.archived', null, archBtn,
      showArch && archived ? h('div', { role: 'list' }, archived.filter(match).map((r) => h('div', { role: 'listitem' }, item(r)))) : null));
    const had = list.contains(document.activeElement) ? document.activeElement.getAttribute('href') : null;
    clear(list, out);
    if (had) list.querySelector(`a[href="${had}"]`)?.focus();
  }
  async function toggleArch() {
    showArch = !showArch;
    if (showArch) {
      try {
        archived = (await get('/rooms?archived=1')).rooms;
        for (const r of archived) if (!S.rooms.has(r.id)) S.rooms.set(r.id, r);
      } catch { archived = []; }
    }
    render();
    list.querySelector('.arch')?.focus();
  }
  render();
}
