// Writes tests/unit/policy/holidays_2000_2050.txt from the npm package @holiday-jp/holiday_jp, an
// independent table of Japan's national holidays that tests/unit/policy/calendar.c checks
// src/policy/calendar.c against. The names are kept exactly as the package spells them (it names a
// substitute holiday "<holiday> 振替休日" and a 国民の休日 "休日"); the test maps them. Regenerate after
// upgrading the package: node tests/unit/policy/make-holiday-fixture.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import holidayJp from '@holiday-jp/holiday_jp';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'holidays_2000_2050.txt');
const lines = Object.keys(holidayJp.holidays)
  .filter((date) => date >= '2000-01-01' && date <= '2050-12-31')
  .sort()
  .map((date) => `${date} ${holidayJp.holidays[date].name}`);

writeFileSync(out, `${lines.join('\n')}\n`);
console.log(`wrote ${lines.length} holidays to ${out}`);
