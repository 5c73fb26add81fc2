// The details pane: the partner's profile in a 1対1, or the topic and members of a room,
// with invite, archive and leave.
import { h, clear, confirmBox, toast } from '../dom.js';
import { post, patch, del } from '../api.js';
import { t } from '../i18n.js';
import { S, on, tlOf, refreshRoom, muted, toggleMute } from '../store.js';
import { userRow, who, absentLine, dot } from './people.js';
import { pickMembers } from './newroom.js';

let off = [];
export function details(root, id) {
  for (const f of off) f();
  off = [];
  root.id = 'details';
  const paint = () => {
    const r = S.rooms.get(id), tl = tlOf(id);
    if (!r) return clear(root);
    const close = h('button.btn.ghost.sm.dclose', { type: 'button', onclick: () => document.body.classList.remove('show-details') }, t('close'));
    const mute = h('button.btn.sm', { type: 'button', 'aria-pressed': String(muted().has(id)), onclick: () => { toggleMute(id); paint(); } }, muted().has(id) ? t('unmute') : t('mute'));
    if (r.kind === 'direct' && r.partner) {
      const u = S.users.get(r.partner.id) || r.partner;
      return clear(root, close, h('div.dcard', null, h('h2', null, dot(u.id), ' ', u.name), u.kana ? h('p.sub', null, u.kana) : null,
        absentLine(u), h('dl.props', null,
          h('dt', null, t('dept')), h('dd', null, u.department || '—'),
          h('dt', null, t('title')), h('dd', null, u.title || '—'),
          h('dt', null, t('ext')), h('dd', null, u.extension || '—'),
          h('dt', null, t('workPhone')), h('dd', null, u.work_phone || '—'),
          u.status_text ? [h('dt', null, t('statusText')), h('dd', null, u.status_text)] : null), h('div.actions', null, mute)));
    }
    const members = [...(tl.members?.values() || [])];
    const owner = r.role === 'owner';
    clear(root, close, h('div.dcard', null, h('h2', null, r.name),
      r.topic ? h('p.topic', null, r.topic) : null,
      h('h3', null, t('memberN', members.length || r.member_count || 0)),
      h('ul.plist', null, members.map((u) => h('li', null, userRow(u, u.role === 'owner' ? h('span.tag', null, t('owner')) : null)))),
      h('div.actions', null, mute,
        r.kind === 'group' || (r.kind === 'announcement' && owner) ? h('button.btn.sm', { type: 'button', onclick: invite }, t('invite')) : null,
        owner ? h('button.btn.sm', { type: 'button', onclick: archive }, r.archived ? t('unarchive') : t('archive')) : null,
        r.kind !== 'direct' && r.kind !== 'department' ? h('button.btn.sm.danger', { type: 'button', onclick: leave }, t('leave')) : null)));
  };
  async function invite() {
    const have = new Set(tlOf(id).members?.keys() || []);
    const ids = await pickMembers(t('invite'), have);
    if (!ids || !ids.length) return;
    try { await post(`/rooms/${id}/members`, { user_ids: ids }); } catch (e) { toast(e.message); }
  }
  async function archive() {
    const r = S.rooms.get(id);
    try { await patch('/rooms/' + id, { archived: !r.archived }); await refreshRoom(id); } catch (e) { toast(e.message); }
  }
  async function leave() {
    if (!await confirmBox(t('leave'), t('leaveQ'), t('leave'), t('cancel'))) return;
    try { await del(`/rooms/${id}/members/${S.me.id}`); S.rooms.delete(id); location.hash = '#/'; } catch (e) { toast(e.message); }
  }
  off.push(on('members', (rid) => rid === id && paint()), on('room', (rid) => rid === id && paint()));
  paint();
}
export { who };
