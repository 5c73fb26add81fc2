// One message row. Text is split into text nodes, mention spans and http(s) links — never
// parsed as HTML.
import { h, confirmBox } from '../dom.js';
import { t, fmtTime, fmtDateTime, fmtSize } from '../i18n.js';
import { S, readCount } from '../store.js';
import { askOverBytes } from '../phone.js';

const URL_RE = /https?:\/\/[^\s<>"'、。「」（）]+/g;
function mentionRe(names) {
  const esc = names.filter(Boolean).sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp('@(?:' + [...esc, '全員', 'all'].join('|') + ')', 'g');
}
export function richText(text, names) {
  const out = [], re = mentionRe(names);
  let last = 0;
  const push = (s) => {
    let i = 0;
    for (const m of s.matchAll(URL_RE)) {
      out.push(s.slice(i, m.index), h('a', { href: m[0], target: '_blank', rel: 'noopener noreferrer' }, m[0]));
      i = m.index + m[0].length;
    }
    out.push(s.slice(i));
  };
  for (const m of text.matchAll(re)) {
    push(text.slice(last, m.index));
    out.push(h('span.mention', null, m[0]));
    last = m.index + m[0].length;
  }
  push(text.slice(last));
  return out;
}
export const isImage = (f) => /^image\/(png|jpeg|gif|webp)$/.test(f.type || '');
// R22: images show as the server's small thumbnail, the original on tap; a file (or an
// image's original) above the size the user chose asks before it downloads.
export function fileView(f) {
  const url = '/api/v1/files/' + encodeURIComponent(f.id);
  const limit = askOverBytes(S.me.id), big = limit > 0 && (f.size || 0) > limit;
  const ask = () => confirmBox(t('bigTitle'), t('bigQ', f.name, fmtSize(f.size || 0)), t('download'), t('cancel'));
  const guard = (a) => {
    if (!big) return a;
    a.addEventListener('click', async (e) => {
      if (a.dataset.ok) { delete a.dataset.ok; return; }
      e.preventDefault();
      if (!await ask()) return;
      a.dataset.ok = '1';
      a.click();
    });
    return a;
  };
  if (isImage(f)) {
    return guard(h('a.imgcard', { href: url, target: '_blank', rel: 'noopener', title: f.name },
      h('img', { src: url + '/thumb', alt: f.name, loading: 'lazy' })));
  }
  const ext = (f.name.match(/\.([a-z0-9]{1,4})$/i)?.[1] || 'file').toUpperCase();
  return guard(h('a.filecard', { href: url, download: f.name, title: t('download') + ': ' + f.name },
    h('span.fext', { 'aria-hidden': 'true' }, ext),
    h('span.fmeta', null, h('span.fname', null, f.name), h('span.fsize', null, fmtSize(f.size || 0)))));
}

export function messageEl(roomId, m, cont, names, acts) {
  const mine = m.sender.id === S.me.id;
  const mentionsMe = !mine && (m.mention_all || (m.mentions || []).includes(S.me.id));
  const el = h('article.msg', { class: (mine ? 'mine' : '') + (cont ? ' cont' : '') + (mentionsMe ? ' mention-me' : '') + (m.deleted ? ' deleted' : ''),
    tabindex: '-1', 'data-seq': m.seq, 'data-id': m.id, 'aria-label': m.sender.name + ' ' + fmtTime(m.created_at) });
  if (!cont) {
    el.append(h('div.mhead', null, h('span.sender', null, m.sender.name),
      m.sender.title ? h('span.stitle', null, m.sender.title) : null,
      m.sender.department ? h('span.sdept', null, m.sender.department) : null,
      m.posted_by ? h('span.sdept', null, '(' + m.posted_by.name + ')') : null));
  }
  const body = h('div.mbody');
  if (m.deleted) body.append(h('p.recalled', null, t('recalled')));
  else {
    if (m.reply_to) {
      const p = m.reply_to, pu = S.users.get(p.sender_id);
      body.append(h('button.quote', { type: 'button', title: t('jumpTo'), onclick: () => acts.jump(p.seq) },
        h('span.qname', null, pu ? pu.name : ''), h('span.qtext', null, p.text == null ? t('recalled') : (p.text || t('stampMsg')).slice(0, 120))));
    }
    if (m.card) body.append(cardView(roomId, m));
    if (m.text && (!m.card || m.card.type === 'note_reminder')) body.append(h('div.text', null, richText(m.text, names)));
    if (m.tag) body.append(tagBadge(m.tag));
    if (m.stamp) {
      const label = S.stamps.find((s) => s.id === m.stamp)?.label || m.stamp;
      body.append(h('img.stamp-lg', { src: '/stamps/' + encodeURIComponent(m.stamp) + '.svg', alt: label, title: label, width: 120, height: 120 }));
    }
    if (m.files?.length) body.append(h('div.files', null, m.files.map(fileView)));
  }
  const meta = h('div.mmeta', null, h('time', { datetime: m.created_at, title: fmtDateTime(m.created_at) }, fmtTime(m.created_at)),
    m.edited_at && !m.deleted ? h('span.edited', { title: t('editedAt', fmtDateTime(m.edited_at)) }, t('edited')) : null,
    m.urgent && !m.deleted ? h('span.urgent', null, t('urgent')) : null,
    mine && !m.deleted ? readLink(roomId, m, acts) : null);
  const tools = m.deleted ? null : h('div.mact', { role: 'toolbar', 'aria-label': t('moreActions') },
    h('button.btn.sm', { type: 'button', onclick: () => acts.reply(m) }, t('reply')),
    mine && m.text != null && !m.stamp && !m.card ? h('button.btn.sm', { type: 'button', onclick: () => acts.edit(m, el) }, t('edit')) : null,
    mine ? h('button.btn.sm', { type: 'button', onclick: () => acts.recall(m) }, t('recall')) : null,
    m.card ? null : h('a.btn.sm', { href: `/api/v1/rooms/${roomId}/messages/${m.id}/record`, download: '', title: t('recordHelp') }, t('record')),
    m.card ? null : h('button.btn.sm.tagbtn', { type: 'button', onclick: () => import('./notes.js').then((x) => x.tagDialog(roomId, m)) }, t('setTag')));
  el.append(h('div.mrow', null, body, meta));
  if (tools) el.append(tools);
  return el;
}
// 質問 / 意見 / 回答 / 決定 / 宿題 (with its assignee and due date).
function tagBadge(tag) {
  return h('div.mtag', { class: 'tag-' + tag.code }, h('span.tag', null, tag.label),
    tag.code === 'action' ? h('span.sub', null, ` ${t('assignee')} ${tag.assignee?.name || ''} · ${t('due')} ${tag.due_date || ''}`) : null);
}

// Cards: a note posted or updated, a reminder to read one, a phone-message memo with 確認.
function cardView(roomId, m) {
  const c = m.card;
  if (c.type === 'note' || c.type === 'note_reminder') {
    return h('a.card-note', { href: `#/r/${roomId}/notes/${c.note_id}` },
      h('span.tag', null, c.kind === 'minutes' ? t('kindMinutes') : c.kind === 'material' ? t('kindMaterial') : t('kindNote')),
      h('span.cn-title', null, c.title),
      c.type === 'note' ? h('span.sub', null, ` ${c.action === 'created' ? t('noteCreated') : t('noteUpdated', c.version)}${c.pages ? ' · ' + t('pagesN', c.pages) : ''}`) : null);
  }
  if (c.type === 'memo') {
    const forMe = c.for_user_id === S.me.id;
    const el = h('div.card-memo', null,
      h('div.cm-head', null, h('span.tag', null, t('memo')), ' ', fmtDateTime(c.received_at)),
      h('div', null, h('strong', null, `${c.caller_org ? c.caller_org + ' ' : ''}${c.caller_name} 様`), ' ', c.request_label),
      c.callback_number ? h('div', null, t('callbackNumber'), ': ', h('a', { href: 'tel:' + c.callback_number }, c.callback_number)) : null,
      c.body ? h('div.cm-body', null, c.body) : null,
      c.confirmed_at ? h('div.cm-done', null, t('confirmedAt', fmtDateTime(c.confirmed_at)))
        : forMe ? h('button.btn.sm.primary.confirm-memo', { type: 'button', onclick: async (e) => {
          e.currentTarget.disabled = true;
          const { post } = await import('../api.js');
          await post(`/memos/${c.memo_id}/confirm`).catch(() => { e.target.disabled = false; });
        } }, t('confirm')) : h('div.sub', null, t('unconfirmed')));
    return el;
  }
  return null;
}

export function readLink(roomId, m, acts) {
  return h('button.readn', { type: 'button', 'aria-haspopup': 'dialog', onclick: () => acts.readers(m) }, t('readN', readCount(roomId, m)));
}
export function pendingEl(o) {
  return h('article.msg.mine.pending', { 'data-cid': o.cid },
    h('div.mrow', null, h('div.mbody', null,
      o.body.text ? h('div.text', null, o.body.text) : null,
      o.body.stamp ? h('img.stamp-lg', { src: '/stamps/' + o.body.stamp + '.svg', alt: o.body.stamp, width: 120, height: 120 }) : null,
      o.body.file_ids?.length ? h('div.fsize', null, t('fileMsg')) : null),
    h('div.mmeta', null, o.state === 'failed'
      ? [h('span.err', null, t('failed') + (o.error ? ': ' + o.error : '')), h('button.btn.sm', { type: 'button', 'data-act': 'retry' }, t('retry')), h('button.btn.sm', { type: 'button', 'data-act': 'discard' }, t('discard'))]
      : o.state === 'held'
        ? [h('span.held', null, t('heldUntil', fmtDateTime(o.heldUntil))), h('button.btn.sm', { type: 'button', 'data-act': 'cancel-held' }, t('cancelHeld'))]
        : h('span.wait', null, t('pending')))));
}
