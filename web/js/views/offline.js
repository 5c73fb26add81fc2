// R17: reading the phone's offline copy of messages where there is no network. Behind the PIN
// (the phone's screen lock alone does not open it), read only — no composer, nothing is sent —
// and marked オフライン表示 on every screen. The decrypted messages exist only in this view and
// are dropped as soon as the app is left.
import { h, clear } from '../dom.js';
import { t, fmtTime, fmtDateTime, fmtShort, dayKey, fmtDate } from '../i18n.js';
import { pinOk, pinInput, MAX_FAIL, signedOut } from '../phone.js';
import { openCopy } from '../offcache.js';

const logo = () => h('img', { src: '/icons/icon.svg', alt: '', width: 48, height: 48 });

// `back` returns to the offline screen (and its 再試行).
export function offlineReader(root, uid, back) {
  const failKey = 'kairan.pinfail.' + uid;
  const err = h('p.error', { role: 'alert' });
  const open = h('button.btn.primary', { type: 'submit' }, t('offlineOpen'));
  const f = h('form.card.login.pin-lock.offline-pin', null,
    h('div.logo', null, logo(), h('h1', null, t('offlineCopy'))),
    h('p', null, t('offlinePin')), pinInput(t('pin'), 'pin'), err, open,
    h('button.btn.ghost', { type: 'button', onclick: back }, t('back')));
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    open.disabled = true;
    const pin = f.pin.value;
    const ok = await pinOk(uid, pin);
    const copy = ok ? await openCopy(uid, pin).catch(() => null) : null;
    open.disabled = false;
    if (ok) {
      localStorage.removeItem(failKey);
      return reader(root, uid, copy || { at: 0, rooms: [], rooms_of: new Map() }, back);
    }
    // The same count as the app lock: five wrong PINs wipe the device, with or without network.
    const n = Number(localStorage.getItem(failKey) || 0) + 1;
    localStorage.setItem(failKey, String(n));
    if (n >= MAX_FAIL) return signedOut(root, 'pin', () => location.reload());
    err.textContent = t('pinWrong', MAX_FAIL - n);
    f.pin.value = ''; f.pin.focus();
  });
  clear(root, h('main.login-wrap.locked', null, f));
  f.pin.focus();
}

function preview(m) {
  if (!m) return '';
  return m.stamp ? t('stampMsg') : (m.text || (m.files?.length ? t('fileMsg') : ''));
}

function reader(root, uid, copy, back) {
  let data = copy;
  const leave = () => {
    data = null;
    document.removeEventListener('visibilitychange', hidden);
    back();
  };
  // Leaving the app locks the copy again at once: the next look needs the PIN.
  const hidden = () => { if (document.hidden) leave(); };
  document.addEventListener('visibilitychange', hidden);

  const banner = h('p.offline-banner', { role: 'status' }, h('strong', null, t('offlineCopy')), ' ',
    data.at ? t('offlineCopyText', fmtDateTime(new Date(data.at).toISOString())) : t('offlineCopyNone'));
  const pane = h('section.offline-pane');
  clear(root, h('main.offline-copy', { 'data-readonly': '1' },
    h('header.topbar', null, h('span.brand', null, h('img', { src: '/favicon.svg', alt: '', width: 24, height: 24 }), t('app')),
      h('span.grow'), h('button.btn.ghost', { type: 'button', onclick: leave }, t('tryAgain'))),
    banner, pane));

  function list() {
    const rooms = [...data.rooms].sort((a, b) => (b.at || '').localeCompare(a.at || ''));
    clear(pane, rooms.length ? h('nav.rooms', { 'aria-label': t('talk') }, rooms.map((r) => {
      const opened = data.rooms_of.has(r.id);
      return h('button.room.offline-room', { type: 'button', disabled: !opened, onclick: () => room(r.id) },
        h('span.ricon.k-' + r.kind, { 'aria-hidden': 'true' }, (r.name || '#')[0]),
        h('span.rbody', null,
          h('span.rtop', null, h('span.rname', null, r.name || '—'), h('time.rtime', null, fmtShort(r.at))),
          h('span.rprev', null, opened ? preview(r.last).slice(0, 80) : t('offlineNotKept'))));
    })) : h('p.empty', null, t('offlineCopyEmpty')));
  }

  function room(id) {
    const v = data.rooms_of.get(id);
    const out = [];
    let day = '';
    for (const m of v.msgs) {
      if (dayKey(m.created_at) !== day) { day = dayKey(m.created_at); out.push(h('div.datesep', null, h('span', null, fmtDate(m.created_at)))); }
      out.push(h('article.msg', { class: m.sender.id === uid ? 'mine' : '', 'data-seq': m.seq },
        h('div.mhead', null, h('span.sender', null, m.sender.name)),
        h('div.mrow', null,
          h('div.mbody', null,
            m.text ? h('div.text', null, m.text) : null,
            m.stamp ? h('div.text', null, t('stampMsg')) : null,
            m.files.length ? h('div.text.offline-files', null, m.files.map((f) => t('fileMsg') + ' ' + f.name).join('\n')) : null),
          h('div.mmeta', null, h('time', { datetime: m.created_at }, fmtTime(m.created_at)), m.urgent ? h('span.urgent', null, t('urgent')) : null))));
    }
    clear(pane, h('div.tl-head', null,
      h('button.btn.back.offline-back', { type: 'button', 'aria-label': t('back'), onclick: list }, '‹'),
      h('div.rhead', null, h('h2.rtitle', null, v.room.name || '—'), h('div.rsub', null, t('offlineReadOnly')))),
    h('div.tl.offline-tl', null, out.length ? out : h('p.empty', null, t('offlineNoRecent'))));
  }
  list();
}
