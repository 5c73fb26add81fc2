// 伝言メモ (R10): the phone-message form — for whom (with their 不在 status and return time, so
// the taker can tell the caller), caller, organisation, callback number, time, message and
// what the caller asked — and the lists of memos received and taken, with their confirmation.
import { h, clear, toast } from '../dom.js';
import { get, post } from '../api.js';
import { t, fmtDateTime } from '../i18n.js';
import { S } from '../store.js';

const REQUESTS = ['callback', 'will_call', 'message_only'];

export async function memoView(root) {
  let target = null;
  const search = h('input.memo-to', { type: 'search', placeholder: t('memoSearch'), 'aria-label': t('memoFor') });
  const found = h('ul.items.memo-found');
  const chosen = h('div.memo-chosen', { role: 'status' });
  const f = {
    name: h('input', { 'aria-label': t('callerName'), maxLength: 100 }),
    org: h('input', { 'aria-label': t('callerOrg'), maxLength: 100 }),
    number: h('input', { 'aria-label': t('callbackNumber'), inputMode: 'tel', maxLength: 32 }),
    at: h('input', { type: 'datetime-local', 'aria-label': t('receivedAt'), value: new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 16) }),
    body: h('textarea', { rows: 4, 'aria-label': t('memoBody'), maxLength: 2000 }),
  };
  const reqs = REQUESTS.map((c, i) => h('label.check', null, h('input', { type: 'radio', name: 'req', value: c, checked: i === 0 }), t('req_' + c)));
  const err = h('p.error', { role: 'alert' });
  const inbox = h('div'), taken = h('div');
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = search.value.trim();
      if (!q) return clear(found);
      const { users } = await get('/users?q=' + encodeURIComponent(q) + '&limit=8');
      clear(found, users.filter((u) => u.id !== S.me.id && u.kind !== 'department').map((u) => h('li', null,
        h('button.btn.link', { type: 'button', onclick: () => pick(u) }, u.name), h('span.sub', null, ' ' + (u.department || '')))));
    }, 200);
  });
  async function pick(brief) {
    // The full entry: its 不在 status and return time, so the taker can tell the caller.
    const u = await get('/users/' + brief.id).catch(() => brief);
    target = u;
    clear(found);
    search.value = u.name;
    clear(chosen, h('strong', null, u.name), ' ', h('span.sub', null, u.department || ''),
      u.absent ? h('p.absent', null, t('absent'), u.absent.until ? ` ${t('backAt')} ${fmtDateTime(u.absent.until)}` : '', u.absent.note ? `（${u.absent.note}）` : '')
        : h('p.sub', null, u.presence === 'online' ? t('online') : t('notAbsent')));
  }
  clear(root, h('div.page.memo', null,
    h('header.page-head', null, h('a.btn.ghost.back', { href: '#/', 'aria-label': t('back') }, '‹'), h('h1', null, t('memo'))),
    h('div.cards', null,
      h('section.card.memo-form', null, h('h2', null, t('memoNew')),
        h('div.form', null, h('label', null, t('memoFor'), search), found, chosen,
          h('label', null, t('callerName'), f.name), h('label', null, t('callerOrg'), f.org),
          h('label', null, t('callbackNumber'), f.number), h('label', null, t('receivedAt'), f.at),
          h('fieldset', null, h('legend', null, t('memoRequest')), reqs),
          h('label', null, t('memoBody'), f.body), err,
          h('button.btn.primary.send-memo', { type: 'button', onclick: send }, t('memoSend')))),
      h('section.card', null, h('h2', null, t('memoInbox')), inbox),
      h('section.card', null, h('h2', null, t('memoTaken')), taken))));
  await lists();
  async function send() {
    err.textContent = '';
    if (!target) { err.textContent = t('memoPick'); return; }
    try {
      await post('/memos', {
        for_user_id: target.id, caller_name: f.name.value, caller_org: f.org.value, callback_number: f.number.value,
        received_at: f.at.value ? f.at.value + ':00+09:00' : undefined, body: f.body.value,
        request: reqs.map((r) => r.firstChild).find((r) => r.checked).value,
      });
      toast(t('memoSent', target.name));
      for (const k of ['name', 'org', 'number', 'body']) f[k].value = '';
      await lists();
    } catch (e) { err.textContent = e.message || t('error'); }
  }
  async function lists() {
    const [a, b] = await Promise.all([get('/memos?box=inbox'), get('/memos?box=taken')]);
    clear(inbox, a.memos.length ? h('ul.items', null, a.memos.map((m) => memoItem(m, true, lists))) : h('p.sub', null, t('memoNone')));
    clear(taken, b.memos.length ? h('ul.items', null, b.memos.map((m) => memoItem(m, false, lists))) : h('p.sub', null, t('memoNone')));
  }
}

function memoItem(m, mine, refresh) {
  return h('li.memo-item', { class: m.confirmed_at ? 'done' : 'open' },
    h('div', null, h('strong', null, `${m.caller_org ? m.caller_org + ' ' : ''}${m.caller_name} 様`), ' ', t('req_' + m.request),
      m.callback_number ? ` ${m.callback_number}` : ''),
    m.body ? h('div', null, m.body) : null,
    h('div.sub', null, mine ? `${t('memoTakenBy')} ${m.taker.name}` : `${t('memoFor')} ${m.for_user.name}`, ' · ', fmtDateTime(m.received_at), ' · ',
      m.confirmed_at ? t('confirmedAt', fmtDateTime(m.confirmed_at)) : t('unconfirmed')),
    mine && !m.confirmed_at ? h('button.btn.sm.primary', { type: 'button', onclick: async () => {
      try { await post(`/memos/${m.id}/confirm`); refresh(); } catch (e) { toast(e.message || t('error')); }
    } }, t('confirm')) : null);
}

