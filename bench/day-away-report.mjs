// The "A day away" section of bench/results/REPORT.md from bench/results/raw/day-away.json
// (bench/day-away.mjs). Used by bench/report.mjs, and run by itself to put the section into an
// existing REPORT.md without touching the rest: node bench/day-away-report.mjs
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const kb = (n) => (n / 1000).toFixed(1) + ' kB';
const s = (ms) => (ms / 1000).toFixed(2) + ' s';

export function dayAwaySection(d) {
  if (!d) return [];
  const sc = d.scenario, r = d.results;
  const row = (name, x) => `| ${name} | ${kb(x.wire_bytes_to_list.down + x.wire_bytes_to_list.up)} (${kb(x.wire_bytes_to_list.down)} down, ${kb(x.wire_bytes_to_list.up)} up) | ${s(x.ms_to_list)} | ${s(x.ms_to_first_room)} | ${kb(x.wire_bytes_to_first_room.down + x.wire_bytes_to_first_room.up)} | ${s(x.ms_to_first_room_images)} |`;
  return ['## A day away — staff phones (issue #12, R22)', '',
    `Run by \`node bench/day-away.mjs\` on ${d.at.slice(0, 16).replace('T', ' ')} UTC. A member of ${sc.rooms} rooms opens the app after ${sc.new_messages} new messages and ${sc.images} photos (${(sc.image_bytes_total / 1e6).toFixed(0)} MB of originals) arrived; ${sc.network}; ${sc.shell}. Phone: ${sc.phone}. Desktop: ${sc.desktop}. Bytes are counted on the wire by a TCP proxy between Chromium and kairan (HTTP headers, gzip bodies, the service worker's requests and the WebSocket included). "List" is the room list with all ${sc.rooms} rooms and their unread counts on screen; "first room" is the top room showing its latest message; its photos arrive as server-made thumbnails (480 px JPEG) after that.`, '',
    '| client | bytes until the list is usable | time to the list | time to the first room | bytes until the first room with its thumbnails | time until its thumbnails are in |',
    '|---|---|---|---|---|---|',
    row('phone (PIN entered at start)', r.phone), row('desktop', r.desktop), '',
    ...(r.phone_first_start ? [`For comparison, the very first start on a phone (nothing cached, same line) needs ${kb(r.phone_first_start.wire_bytes_to_login_form.down + r.phone_first_start.wire_bytes_to_login_form.up)} and ${s(r.phone_first_start.ms_to_login_form)} until the login form is usable: the whole shell, gzipped, over 2-second round trips; the service worker keeps it from then on.`, ''] : []),
    `Target (issue #12): ≤ 300 KB and ≤ 3 s to the list on this profile with the shell cached. The list needs ${r.phone.requests_to_list} requests of which ${r.phone.served_by_service_worker} come from the service worker's cache (no round trip); the rest — \`/me\`, \`/settings\`, \`/rooms\`, \`/me/held\`, the WebSocket — go out together at start, so the list costs about one 2-second round trip plus the PIN check (PBKDF2, on the phone only; the lock screen showed at ${s(r.phone.ms_to_lock_screen)}). Messages are fetched only for the room opened. The first room's photos as originals would have been about ${(sc.image_bytes_total / sc.images / 1e6).toFixed(1)} MB each.`, ''];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const RES = resolve(dirname(fileURLToPath(import.meta.url)), 'results');
  const d = JSON.parse(readFileSync(join(RES, 'raw/day-away.json'), 'utf8'));
  const file = join(RES, 'REPORT.md');
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Kairan benchmark report\n';
  const section = dayAwaySection(d).join('\n') + '\n';
  const start = text.indexOf('## A day away');
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + 3);
    text = text.slice(0, start) + section + (next >= 0 ? text.slice(next + 1) : '');
  } else {
    const at = text.indexOf('## Findings and suggested server changes');
    text = at >= 0 ? text.slice(0, at) + section + '\n' + text.slice(at) : text + '\n' + section;
  }
  writeFileSync(file, text);
  console.error('day-away: section written to ' + file);
}
