// プロフィール: one's own 役職, 内線, 勤務先電話 and ひとこと; 不在 with a return time and
// note; desktop notifications.
import { h, clear, toast } from '../dom.js';
import { api, patch, post } from '../api.js';
import { t, lang, setLang } from '../i18n.js';
import { S, putUser, emit } from '../store.js';
import { dot, absentLine } from './people.js';
import { askOverMb, setAskOver } from '../phone.js';

const pad = (n) => String(n).padStart(2, '0');
function localValue(iso) { // RFC 3339 → the value of an <input type=datetime-local> in Japan time
  const d = new Date(new Date(iso).getTime() + 9 * 3600000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}
function tomorrowMorning() {
  const now = new Date(Date.now() + 9 * 3600000 + 86400000);
  return `${now.getUTCFullYear()}-${pad(now.getUTCMonth() + 1)}-${pad(now.getUTCDate())}T08:30`;
}
export function profile(root) {
  const me = S.me;
  const field = (name, label, type = 'text') => h('label', null, label, h('input', { name, type, value: me[name] || '', maxLength: 100, autocomplete: 'off' }));
  const msg = h('p.ok', { role: 'status' });
  const f = h('form.card', null, h('h2', null, t('profile')),
    field('title', t('title')), field('extension', t('ext'), 'tel'), field('work_phone', t('workPhone'), 'tel'), field('status_text', t('statusText')),
    h('button.btn.primary', { type: 'submit' }, t('save')), msg);
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      save(await patch('/me', { title: f.elements.title.value, extension: f.elements.extension.value, work_phone: f.elements.work_phone.value, status_text: f.elements.status_text.value }));
      msg.textContent = t('saved');
    } catch (x) { toast(x.message); }
  });
  const until = h('input', { type: 'datetime-local', name: 'until', required: true, value: me.absent?.until ? localValue(me.absent.until) : tomorrowMorning() });
  const note = h('input', { name: 'note', maxLength: 200, value: me.absent?.note || '', placeholder: '出張・休暇など' });
  const amsg = h('p.ok', { role: 'status' });
  const a = h('form.card', null, h('h2', null, t('absent')), absentLine(me),
    h('label', null, t('absentUntil'), until), h('label', null, t('absentNote'), note),
    h('div.actions', null, h('button.btn.primary', { type: 'submit' }, t('absentSet')),
      me.absent ? h('button.btn', { type: 'button', onclick: () => setAbsent(null) }, t('absentClear')) : null), amsg);
  a.addEventListener('submit', (e) => { e.preventDefault(); setAbsent({ until: until.value + ':00+09:00', note: note.value }); });
  async function setAbsent(v) {
    try { save(await patch('/me', { absent: v })); profile(root); } catch (x) { toast(x.message); }
  }
  const perm = 'Notification' in window ? Notification.permission : 'denied';
  const n = h('div.card', null, h('h2', null, t('settings')),
    perm === 'granted' ? h('p', null, t('notifyOn')) : perm === 'denied' ? h('p', null, t('notifyDenied'))
      : h('button.btn', { type: 'button', onclick: () => Notification.requestPermission().then(() => profile(root)) }, t('notify')),
    h('div.actions', null, h('button.btn', { type: 'button', onclick: () => { setLang(lang === 'ja' ? 'en' : 'ja'); location.reload(); } }, t('lang')),
      h('button.btn', { type: 'button', onclick: () => document.dispatchEvent(new Event('kairan-logout')) }, t('logout'))));
  // R22: the size above which a file asks before downloading (this device only).
  const cur = askOverMb(me.id);
  const sizeSel = h('select', { name: 'askover', onchange: () => setAskOver(me.id, Number(sizeSel.value)) },
    [0, 1, 5, 10, 20].map((mb) => h('option', { value: String(mb), selected: mb === cur }, mb ? mb + ' MB' : t('askNever'))));
  const d = h('div.card.data-saver', null, h('h2', null, t('dataSaver')), h('label', null, t('askOver'), sizeSel));
  clear(root, h('div.page', null, h('header.page-head', null, h('a.btn.ghost.back', { href: '#/', 'aria-label': t('back') }, '‹'),
    h('h1', null, dot(me.id), ' ', me.name)), h('p.sub', null, [me.kana, me.department, me.login].filter(Boolean).join(' / ')),
  h('div.cards', null, f, a, totpCard(() => profile(root)), n, d)));
}

// 二段階認証 (TOTP): enrol with an authenticator app, or turn it off with a current code.
export function totpCard(after) {
  const msg = h('p.error', { role: 'alert' });
  const code = h('input', { name: 'code', inputmode: 'numeric', pattern: '[0-9]{6}', maxLength: 6, required: true, autocomplete: 'one-time-code' });
  const card = h('form.card.totp-card', null, h('h2', null, t('totp')));
  if (S.me.totp_enabled) {
    card.append(h('p', null, t('totpOn')), h('label', null, t('totpCode'), code),
      h('button.btn', { type: 'submit' }, t('totpOff')), msg);
    card.addEventListener('submit', async (e) => {
      e.preventDefault();
      try { await api('DELETE', '/me/totp', { code: code.value }); S.me.totp_enabled = false; after(); } catch (x) { msg.textContent = x.message; }
    });
    return card;
  }
  const secret = h('p.totp-secret');
  card.append(h('p', null, t('totpHelp')), h('button.btn', { type: 'button', onclick: begin }, t('totpStart')), secret,
    h('label', null, t('totpCode'), code), h('button.btn.primary', { type: 'submit' }, t('totpConfirm')), msg);
  async function begin() {
    try {
      const r = await post('/me/totp');
      secret.replaceChildren(h('span', null, t('totpKey')), h('code', null, r.secret), h('br'), h('small', null, r.uri));
    } catch (x) { msg.textContent = x.message; }
  }
  card.addEventListener('submit', async (e) => {
    e.preventDefault();
    try { await post('/me/totp/confirm', { code: code.value }); S.me.totp_enabled = true; S.me.totp_setup_required = false; after(); }
    catch (x) { msg.textContent = x.message; }
  });
  return card;
}
function save(u) {
  Object.assign(S.me, u); putUser(u);
  S.presence.set(u.id, u.presence || S.presence.get(u.id));
  emit('presence', u.id);
}
