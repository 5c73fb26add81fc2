// The composer: Enter sends, Shift+Enter breaks the line, and an Enter that confirms an IME
// conversion (isComposing / keyCode 229) never sends. Drafts per room; @mentions with
// autocomplete; stamps; attachments by button, drag-and-drop or paste, with progress.
import { h, clear, icon, confirmBox } from '../dom.js';
import { upload } from '../api.js';
import { t, fmtSize } from '../i18n.js';
import { S, send, draft, wsSend, on } from '../store.js';

const FALLBACK_STAMPS = [['ryokai', '了解しました'], ['arigato', 'ありがとうございます'], ['otsukare', 'お疲れさまです'], ['kakunin', '確認します'],
  ['shochi', '承知しました'], ['yoroshiku', 'よろしくお願いします'], ['ok', 'OK'], ['iine', 'いいね'], ['taiouchu', '対応中'],
  ['kanryo', '完了しました'], ['onegai', 'お願いします'], ['sumimasen', 'すみません']].map(([id, label]) => ({ id, label }));

export function composer(roomId, room) {
  let reply = null, files = [], composing = false, lastTyping = 0, sug = null, sugIdx = 0;
  const chosen = new Map(); // "@name" -> user id, from the autocomplete
  const ta = h('textarea.input', { rows: 1, placeholder: t('message'), 'aria-label': t('messageLabel'), maxLength: 10000 });
  const replyBar = h('div.replybar');
  const piiBar = h('div.piibar', { role: 'alert', hidden: true });
  const tray = h('div.tray');
  const sugBox = h('ul.suggest', { role: 'listbox', hidden: true, id: 'mention-list' });
  const picker = h('div.picker', { role: 'dialog', 'aria-label': t('stamp'), hidden: true });
  const fileIn = h('input', { type: 'file', multiple: true, hidden: true, 'aria-hidden': 'true', tabindex: '-1' });
  const sendBtn = h('button.btn.primary.send', { type: 'button', onclick: doSend }, t('send'));
  const stampBtn = h('button.btn.icon', { type: 'button', title: t('stamp'), 'aria-label': t('stamp'), 'aria-expanded': 'false', onclick: togglePicker }, icon('smile'));
  const root = h('div.composer', null, piiBar, replyBar, tray, sugBox, picker,
    h('div.crow', null,
      h('button.btn.icon', { type: 'button', title: t('attach'), 'aria-label': t('attach'), onclick: () => fileIn.click() }, icon('clip')),
      stampBtn, ta, sendBtn), fileIn);
  ta.setAttribute('aria-controls', 'mention-list');
  ta.value = draft.get(roomId);
  const saveDraft = () => draft.set(roomId, ta.value); // synchronous: a room switch may follow at once
  const readonly = room && room.kind === 'announcement' && room.role !== 'owner';
  if (readonly || room?.archived) { ta.disabled = true; sendBtn.disabled = true; ta.placeholder = t(room.archived ? 'archivedRo' : 'readonly'); }

  ta.addEventListener('compositionstart', () => { composing = true; });
  ta.addEventListener('compositionend', () => { composing = false; });
  ta.addEventListener('keydown', (e) => {
    if (e.isComposing || e.keyCode === 229 || composing) return; // the IME owns this key
    if (sug && !sugBox.hidden) {
      const n = sug.length;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') { e.preventDefault(); sugIdx = (sugIdx + (e.key === 'ArrowDown' ? 1 : n - 1)) % n; paintSug(); return; }
      if (e.key === 'Enter' || e.key === 'Tab') { e.preventDefault(); pick(sug[sugIdx]); return; }
      if (e.key === 'Escape') { e.preventDefault(); hideSug(); return; }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.altKey) { e.preventDefault(); doSend(); }
    if (e.key === 'Escape' && reply) setReply(null);
  });
  ta.addEventListener('input', (e) => {
    if (!e.isComposing) composing = false; // in case an IME never sent compositionend
    grow(); saveDraft(); suggest();
    if (ta.value && Date.now() - lastTyping > 3000) { lastTyping = Date.now(); wsSend({ type: 'typing', room_id: roomId }); }
  });
  ta.addEventListener('paste', (e) => {
    const fs = [...(e.clipboardData?.files || [])];
    if (fs.length) { e.preventDefault(); addFiles(fs); }
  });
  ta.addEventListener('blur', () => setTimeout(hideSug, 150));
  fileIn.addEventListener('change', () => { addFiles([...fileIn.files]); fileIn.value = ''; });
  function grow() { ta.style.height = 'auto'; ta.style.height = Math.min(ta.scrollHeight + 2, 180) + 'px'; }

  // ---- mentions
  function members() { return [...(S.tl.get(roomId)?.members?.values() || [])].filter((u) => u.id !== S.me.id); }
  function suggest() {
    const pre = ta.value.slice(0, ta.selectionStart);
    const m = pre.match(/(?:^|\s)@([^\s@]*)$/);
    if (!m) return hideSug();
    const q = m[1].toLowerCase();
    sug = members().filter((u) => !q || u.name.toLowerCase().replace(/\s/g, '').includes(q) || (u.kana || '').replace(/\s/g, '').includes(q) || (u.login || '').includes(q)).slice(0, 8);
    if (room && room.kind !== 'direct' && (!q || '全員'.includes(q) || 'all'.startsWith(q))) sug.push({ id: 'all', name: '全員' });
    if (!sug.length) return hideSug();
    sugIdx = 0; paintSug();
  }
  function paintSug() {
    sugBox.hidden = false;
    clear(sugBox, sug.map((u, i) => h('li', { role: 'option', id: 'sug-' + i, 'aria-selected': String(i === sugIdx), onmousedown: (e) => { e.preventDefault(); pick(u); } },
      u.name, u.department ? h('span.sub', null, ' ' + u.department) : null)));
    ta.setAttribute('aria-activedescendant', 'sug-' + sugIdx);
  }
  function hideSug() { sugBox.hidden = true; sug = null; ta.removeAttribute('aria-activedescendant'); }
  function pick(u) {
    const pos = ta.selectionStart, pre = ta.value.slice(0, pos).replace(/@([^\s@]*)$/, '@' + u.name + ' ');
    ta.value = pre + ta.value.slice(pos);
    ta.selectionStart = ta.selectionEnd = pre.length;
    chosen.set('@' + u.name, u.id);
    hideSug(); saveDraft(); ta.focus();
  }

  // ---- stamps
  function togglePicker() {
    if (!picker.hidden) { picker.hidden = true; stampBtn.setAttribute('aria-expanded', 'false'); return; }
    const list = S.stamps.length ? S.stamps : FALLBACK_STAMPS;
    clear(picker, h('div.pgrid', null, list.map((s) => h('button.stampbtn', { type: 'button', title: s.label, 'aria-label': s.label, 'data-stamp': s.id,
      onclick: () => { picker.hidden = true; stampBtn.setAttribute('aria-expanded', 'false'); send(roomId, { text: '', stamp: s.id, reply_to: reply?.id ?? null }); setReply(null); } },
    h('img', { src: '/stamps/' + s.id + '.svg', alt: '', width: 64, height: 64 })))));
    picker.hidden = false; stampBtn.setAttribute('aria-expanded', 'true');
    picker.querySelector('button')?.focus();
  }
  picker.addEventListener('keydown', (e) => { if (e.key === 'Escape') { picker.hidden = true; stampBtn.setAttribute('aria-expanded', 'false'); stampBtn.focus(); } });

  // ---- attachments
  function addFiles(list) {
    for (const f of list) {
      const it = { file: f, id: null, bar: h('progress', { max: 1, value: 0 }), err: null };
      it.el = h('div.att', null, h('span.fname', null, f.name || 'image.png'), h('span.fsize', null, fmtSize(f.size)), it.bar,
        h('button.btn.sm', { type: 'button', 'aria-label': t('discard') + ' ' + f.name, onclick: () => { files = files.filter((x) => x !== it); it.el.remove(); upd(); } }, '×'));
      files.push(it); tray.append(it.el); upd();
      it.p = upload(f, (p) => { it.bar.value = p; }).then((meta) => { it.id = meta.id; it.bar.value = 1; it.el.classList.add('done'); upd(); },
        (e) => { it.err = e; it.el.classList.add('bad'); it.bar.replaceWith(h('span.err', null, t('uploadFail') + (e.message ? ': ' + e.message : ''))); upd(); });
    }
  }
  function upd() { sendBtn.disabled = files.some((f) => !f.id && !f.err); }

  // ---- reply
  function setReply(m) {
    reply = m;
    if (!m) { clear(replyBar); replyBar.classList.remove('on'); return; }
    replyBar.classList.add('on');
    clear(replyBar, h('span.rq', null, t('replyTo', m.sender.name) + ': ', (m.text || t('stampMsg')).slice(0, 80)),
      h('button.btn.sm', { type: 'button', onclick: () => setReply(null) }, t('cancelReply')));
    ta.focus();
  }

  function doSend() {
    if (sendBtn.disabled) return;
    const text = ta.value.replace(/\s+$/, '');
    const ids = files.filter((f) => f.id != null).map((f) => f.id);
    if (!text.trim() && !ids.length) return;
    const mentions = [];
    for (const u of members()) if (text.includes('@' + u.name) && !mentions.includes(u.id)) mentions.push(u.id);
    for (const [k, id] of chosen) if (id !== 'all' && text.includes(k) && !mentions.includes(id)) mentions.push(id);
    const body = { text, mentions, mention_all: /@(全員|all)(\s|$)/.test(text), reply_to: reply?.id ?? null, stamp: null };
    if (ids.length) body.file_ids = ids;
    send(roomId, body);
    ta.value = ''; draft.set(roomId, ''); grow(); chosen.clear();
    files = []; clear(tray); setReply(null); hideSug(); lastTyping = 0;
    ta.focus();
  }
  // ---- the personal-information guard's answer (R16): put the text back, mark the span, say why.
  const off = on('pii', async (rid, body, e) => {
    if (rid !== roomId) return;
    const hits = e.detail.hits || [];
    const restore = () => {
      ta.value = body.text || ''; draft.set(roomId, ta.value); grow();
      const first = hits[0];
      ta.focus();
      if (first) ta.setSelectionRange(first.start, first.start + first.length);
      piiBar.hidden = false;
      clear(piiBar, h('strong', null, e.message), ' ', hits.map((x) => x.name).filter((v, i, a) => a.indexOf(v) === i).join('・'));
    };
    if (e.code === 'personal_information_confirm' && await confirmBox(t('piiTitle'), e.message, t('piiSend'), t('cancel'))) {
      send(roomId, { ...body, confirm_pii: true });
      return;
    }
    restore();
  });
  ta.addEventListener('input', () => { piiBar.hidden = true; });
  // When the room is left: stop listening, keep the draft.
  const destroy = () => { off(); saveDraft(); };
  return { el: root, focus: () => ta.focus(), reply: setReply, addFiles, input: ta, destroy };
}
