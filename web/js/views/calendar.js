// 閉庁日カレンダー: the office hours, this year's national holidays and the city's closures,
// and the disaster switch when it is on — so staff can see why a message was held.
import { h, clear } from '../dom.js';
import { get } from '../api.js';
import { t, fmtDateTime } from '../i18n.js';

const WD = ['日', '月', '火', '水', '木', '金', '土'];
function label(date) {
  const [y, m, d] = date.split('-').map(Number);
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return `${y}年${m}月${d}日(${WD[wd]})`;
}

export async function calendarView(root) {
  const year = Number(new Date(Date.now() + 9 * 3600000).toISOString().slice(0, 4));
  clear(root, h('div.page', null, h('p', null, t('loading'))));
  const [cal, hol] = await Promise.all([get('/calendar'), get('/calendar/holidays?year=' + year)]);
  const oh = cal.office_hours;
  const modeText = { off: t('ohOff'), warn: t('ohWarn'), hold: t('ohHold'), block: t('ohBlock') }[oh.mode] || oh.mode;
  const days = [...hol.holidays.map((x) => ({ ...x, kind: 'national' })), ...cal.closures.map((x) => ({ ...x, kind: 'closure' }))]
    .filter((x) => x.date.startsWith(String(year)))
    .sort((a, b) => a.date.localeCompare(b.date));
  clear(root, h('div.page', null,
    h('header.page-head', null, h('a.btn.ghost.back', { href: '#/', 'aria-label': t('back') }, '‹'), h('h1', null, t('calendar'))),
    cal.disaster?.on ? h('p.disaster', { role: 'status' }, t('disasterOn'), ' ', cal.disaster.note || '', ' ', cal.disaster.since ? fmtDateTime(cal.disaster.since) + '〜' : '') : null,
    h('div.cards', null,
      h('section.card', null, h('h2', null, t('officeHours')),
        h('p', null, `${oh.start}〜${oh.end}（${t('businessDays')}）`), h('p', null, modeText),
        h('p', null, cal.in_office_hours ? t('nowOpen') : t('nowClosed'))),
      h('section.card.wide', null, h('h2', null, t('holidaysOf', year)),
        h('table.cal', null, h('tbody', null, days.map((x) => h('tr', { class: x.kind }, h('td', null, label(x.date)),
          h('td', null, x.name || ''), h('td', null, x.kind === 'closure' ? t('cityClosure') : t('nationalHoliday')))))),
        h('p.sub', null, t('yearEnd'))))));
}
