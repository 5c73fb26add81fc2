// 紙削減の効果 (R24): sheets not printed and their cost, per month (a bar chart drawn here as
// SVG, no chart library) and per department, with totals since adoption and the CSV for Excel
// (UTF-8 with BOM, or CP932 for older Excel). For department administrators and administrators.
import { h, clear } from '../dom.js';
import { get } from '../api.js';
import { t } from '../i18n.js';

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG, tag);
  for (const k in attrs) el.setAttribute(k, attrs[k]);
  for (const c of kids) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}
const yen = (n) => '¥' + Number(n).toLocaleString('ja-JP');
const num = (n) => Number(n).toLocaleString('ja-JP');

function chart(rows) {
  const W = 640, H = 240, pad = 36, bw = Math.max(8, Math.min(48, (W - pad * 2) / Math.max(1, rows.length) - 8));
  const max = Math.max(1, ...rows.map((r) => r.sheets));
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': t('paperChart'), class: 'paper-chart' });
  g.append(svg('line', { x1: pad, y1: H - pad, x2: W - pad / 2, y2: H - pad, stroke: '#8a94a3' }));
  rows.forEach((r, i) => {
    const x = pad + 8 + i * (bw + 8), bh = (H - pad * 2) * (r.sheets / max);
    g.append(svg('rect', { x, y: H - pad - bh, width: bw, height: bh, fill: '#0a5cad' }, svg('title', {}, `${r.month}: ${num(r.sheets)}${t('sheets')} ${yen(r.yen)}`)));
    g.append(svg('text', { x: x + bw / 2, y: H - pad + 16, 'text-anchor': 'middle', 'font-size': 11 }, r.month.slice(2).replace('-', '/')));
    g.append(svg('text', { x: x + bw / 2, y: H - pad - bh - 4, 'text-anchor': 'middle', 'font-size': 11 }, num(r.sheets)));
  });
  return g;
}

// Every month of the period, with zero where nothing was saved, so the bars line up with time.
function months(r) {
  const got = new Map(r.by_month.map((m) => [m.month, m]));
  const out = [];
  let [y, mo] = r.from.split('-').map(Number);
  const [ty, tm] = r.to.split('-').map(Number);
  while ((y < ty || (y === ty && mo <= tm)) && out.length < 120) {
    const k = `${y}-${String(mo).padStart(2, '0')}`;
    out.push(got.get(k) || { month: k, sheets: 0, yen: 0 });
    if (++mo > 12) { mo = 1; y++; }
  }
  return out;
}

export async function paperView(root) {
  const now = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 7);
  // The fiscal year (年度) starts in April.
  const fy = Number(now.slice(5, 7)) >= 4 ? Number(now.slice(0, 4)) : Number(now.slice(0, 4)) - 1;
  const from = h('input', { type: 'month', value: `${fy}-04`, 'aria-label': t('from') });
  const to = h('input', { type: 'month', value: now, 'aria-label': t('to') });
  const out = h('div.paper-out', { 'aria-live': 'polite' });
  const err = h('p.error', { role: 'alert' });
  const csv = (enc) => h('a.btn', { href: '#', onclick: (e) => { e.currentTarget.href = `/api/v1/paper-saved?from=${from.value}&to=${to.value}&format=csv${enc ? '&encoding=cp932' : ''}`; } , download: `paper-saved.csv` }, enc ? t('csvCp932') : t('csvUtf8'));
  clear(root, h('div.page.paper', null,
    h('header.page-head', null, h('a.btn.ghost.back', { href: '#/', 'aria-label': t('back') }, '‹'), h('h1', null, t('paper'))),
    h('div.bar', null, h('label', null, t('from'), ' ', from), h('label', null, t('to'), ' ', to),
      h('button.btn.primary', { type: 'button', onclick: load }, t('show')), csv(false), csv(true)),
    err, out, h('details.method', null, h('summary', null, t('paperMethod')), h('p', null, t('paperMethodText')))));
  await load();
  async function load() {
    err.textContent = '';
    try {
      const r = await get(`/paper-saved?from=${from.value}&to=${to.value}`);
      clear(out,
        h('div.cards', null,
          h('section.card.total', null, h('h2', null, t('paperPeriod')), h('p.big', null, num(r.sheets), h('small', null, t('sheets'))), h('p.big', null, yen(r.yen))),
          h('section.card.total', null, h('h2', null, t('paperSince')), h('p.big', null, num(r.since_adoption.sheets), h('small', null, t('sheets'))), h('p.big', null, yen(r.since_adoption.yen))),
          h('section.card.wide', null, h('h2', null, t('paperByMonth')), r.by_month.length ? chart(months(r)) : h('p.sub', null, t('noData'))),
          h('section.card.wide', null, h('h2', null, t('paperByDept')),
            h('table.cal', null, h('tbody', null, r.by_department.map((d) => h('tr', null, h('td', null, d.department), h('td', null, num(d.sheets) + t('sheets')), h('td', null, yen(d.yen))))))),
          r.unknown.length ? h('section.card.wide', null, h('h2', null, t('paperUnknown')), h('p.sub', null, t('paperUnknownHelp')),
            h('ul.items', null, r.unknown.map((u) => h('li', null, u.title == null ? t('noteN', u.note_id) : h('a', { href: `#/r/${u.room_id}/notes/${u.note_id}` }, u.title))))) : null),
        h('p.sub', null, t('costPerSheet', r.cost_per_sheet.toFixed(2))));
    } catch (e) { err.textContent = e.message || t('error'); }
  }
}
