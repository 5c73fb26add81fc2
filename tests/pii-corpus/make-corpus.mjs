// Writes tests/pii-corpus/corpus.txt: 2,000 lines of made-up municipal chat with no personal
// information, for measuring the personal-information guard's false positives (fp-rate.c).
//
// The lines are what a city hall's staff type all day: phone and extension numbers in every format,
// dates and times, amounts, invoice, document, order and file numbers (many of them 12 digits, the
// length of a My Number), 法人番号, postal codes, room numbers, URLs, and talk *about* My Number cards
// with numbers that are not one. Every value is drawn from a PRNG with a fixed seed, so the file is
// the same on every run; change SEED or a template and regenerate: node tests/pii-corpus/make-corpus.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEED = 20260401;
const LINES = 2000;

// mulberry32: small, fast and good enough for test data.
let state = SEED >>> 0;
function rand() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (a) => a[Math.floor(rand() * a.length)];
const digits = (n) => Array.from({ length: n }, () => int(0, 9)).join('');
const pad = (v, n) => String(v).padStart(n, '0');
const comma = (v) => v.toLocaleString('en-US');
const wide = (s) => s.replace(/[0-9A-Za-z\-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

// 法人番号: twelve digits and a leading check digit, 9 - (sum mod 9), weights 1,2 from the right.
function corporateNumber() {
  const body = digits(12);
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(body[11 - i]) * (i % 2 === 0 ? 1 : 2);
  return String(9 - (sum % 9)) + body;
}

const depts = ['総務課', '市民課', '税務課', '保険年金課', '子育て相談センター', '介護保険課', '都市計画課', '道路課',
  '上下水道総務課', '危機管理課', '人事課', '財政課', '契約検査課', '生活支援課', '障害福祉課', '商工観光労政課',
  '農林水産課', '教育総務課', 'スポーツ保健課', '情報政策課', '広報課', '議会事務局', '会計課', '環境課'];
const names = ['田中', '山田', '佐藤', '鈴木', '高橋', '中村', '小林', '伊藤', '渡辺', '木村', '西川', '北村', '奥村', '藤田'];
const rooms = () => pick([`${int(1, 8)}階 ${int(1, 8)}0${int(1, 9)}会議室`, `第${int(1, 5)}会議室`, `別館${int(1, 3)}F ${int(1, 3)}0${int(1, 9)}号室`,
  `大会議室${pick(['A', 'B', 'C'])}`, `${int(1, 8)}0${int(1, 9)}号室`, `本庁舎${int(1, 8)}階 ${int(1, 20)}番窓口`]);
const ext = () => pad(int(1000, 4999), 4);

function phone() {
  const local = `${int(500, 599)}-${pad(int(0, 9999), 4)}`;
  return pick([
    `077-${local}`, `0775${local.replace('-', '')}`, `(077)${local}`, `077(${local.slice(0, 3)})${local.slice(4)}`,
    `0${pick(['3', '6', '75', '748', '749'])}-${int(100, 9999)}-${pad(int(0, 9999), 4)}`,
    `0${pick(['90', '80', '70'])}-${pad(int(0, 9999), 4)}-${pad(int(0, 9999), 4)}`,
    `0${pick(['90', '80', '70'])}${digits(8)}`, `0120-${int(100, 999)}-${int(100, 999)}`, `0570-${pad(int(0, 999), 3)}-${int(100, 999)}`,
    `+81-77-${local}`, wide(`077-${local}`), `077 ${local.replace('-', ' ')}`, `077‐${local.replace('-', '‐')}`,
  ]);
}

function date() {
  const y = int(2024, 2027), m = int(1, 12), d = int(1, 28), r = y - 2018;
  return pick([`${y}年${m}月${d}日`, `${y}/${pad(m, 2)}/${pad(d, 2)}`, `令和${r}年${m}月${d}日`, `R${r}.${m}.${d}`, `${m}/${d}`,
    `${m}月${d}日（${pick(['月', '火', '水', '木', '金'])}）`, `${y}-${pad(m, 2)}-${pad(d, 2)}`, `${y}${pad(m, 2)}${pad(d, 2)}`,
    wide(`${m}`) + '月' + wide(`${d}`) + '日']);
}
const time = () => pick([`${int(8, 17)}:${pick(['00', '15', '30', '45'])}`, `${int(8, 17)}時${pick(['', '30分', '15分'])}`,
  `${int(9, 11)}:00～${int(12, 16)}:00`, `午後${int(1, 5)}時`]);
const yen = () => pick([`¥${comma(int(100, 99999999))}`, `${comma(int(100, 99999999))}円`, `${int(1, 9999)}万円`,
  `${comma(int(1000000, 99999999999))}円`, `金${comma(int(1000, 9999999))}円`, `${int(1, 99)}億${int(1, 9999)}万円`, `￥${comma(int(100, 999999))}-`]);
const twelve = () => pick([digits(12), `${int(2024, 2026)}${pad(int(1, 12), 2)}${pad(int(1, 28), 2)}${pad(int(0, 9999), 4)}`,
  `${digits(4)}-${digits(4)}-${digits(4)}`, `${digits(4)} ${digits(4)} ${digits(4)}`]);
const postal = () => `〒${pick(['525', '520', '524', '527'])}-${pad(int(0, 9999), 4)}`;
const docno = () => pick([`草${pick(['総', '市', '税', '福', '都'])}第${int(1, 4999)}号`, `R${int(6, 9)}-${pad(int(1, 999), 4)}`,
  `INV-${int(2024, 2026)}-${pad(int(1, 99999), 6)}`, `No.${digits(int(6, 10))}`, `第${int(1, 300)}号`]);
const url = () => pick([`https://www.city.kusatsu.shiga.jp/kurashi/${digits(int(4, 12))}.html`,
  `https://example.lg.jp/docs/${digits(12)}`, `http://intra.example.lg.jp/wf/view?id=${digits(12)}`,
  `https://www.houjin-bangou.nta.go.jp/henkorireki-johoto.html?selHouzinNo=${corporateNumber()}`]);

const templates = [
  () => `${pick(depts)}の${pick(names)}です。折り返しは${phone()}（内線${ext()}）までお願いします。`,
  () => `TEL ${phone()} / FAX ${phone()}`,
  () => `電話番号：${phone()}`,
  () => `${pick(names)}さんから電話がありました。${phone()}に折り返しお願いします。`,
  () => `内線${ext()}の${pick(names)}さん宛てに外線${int(1, 9)}番でお電話です`,
  () => `携帯 ${phone()} に連絡ください`,
  () => `代表 ${phone()}、夜間・休日は${phone()}`,
  () => `℡${phone()}`,
  () => `${date()} ${time()} から${rooms()}で打合せです。`,
  () => `${date()}の会議は${rooms()}に変更になりました（${time()}開始）`,
  () => `議事録をアップしました。${date()}開催分です。`,
  () => `締切は${date()} ${time()}です。遅れる場合は内線${ext()}まで。`,
  () => `${date()}付けで${docno()}を起案しました`,
  () => `文書番号 ${docno()} の決裁をお願いします`,
  () => `請求書番号 ${twelve()} の支払を${date()}に処理済みです`,
  () => `注文番号：${twelve()}（${yen()}）`,
  () => `伝票番号${twelve()}、金額${yen()}で起票しました`,
  () => `受付番号 ${twelve()} の件、対応済みです`,
  () => `管理番号 ${twelve()} の備品を${rooms()}に移動しました`,
  () => `問い合わせ番号 ${twelve()} で照会してください`,
  () => `追跡番号 ${twelve()} で発送済み`,
  () => `契約番号 ${twelve()}、契約額 ${yen()}`,
  () => `お客様番号 ${twelve()} の水道料金の件で${pick(names)}さんが来庁予定です`,
  () => `法人番号 ${corporateNumber()} の事業者から入札参加申請がありました`,
  () => `${pick(['株式会社', '有限会社', '一般社団法人'])}${pick(['近江', 'びわこ', '草津', '湖南'])}${pick(['建設', '商事', '設備', 'システム'])}（法人番号${corporateNumber()}）`,
  () => `${corporateNumber()} の法人番号で検索しましたがヒットしません`,
  () => `地方公共団体コード ${pick(['252018', '252034', '252069', '252131', '252140'])} で登録してください`,
  () => `送付先：${postal()} 滋賀県草津市${pick(['草津', '野路', '南草津', '矢橋', '志那'])}${int(1, 9)}丁目${int(1, 30)}番${int(1, 30)}号`,
  () => `郵便番号 ${postal().slice(1)} に訂正してください`,
  () => `予算額は${yen()}、執行済み${yen()}です`,
  () => `見積額 ${yen()}（税込）で業者から回答がありました`,
  () => `補助金の交付決定額 ${yen()}、交付日 ${date()}`,
  () => `ファイル ${twelve().replace(/[ -]/g, '')}.pdf を共有フォルダに置きました`,
  () => `案件ID ${twelve()} の進捗を更新しました`,
  () => `システムの処理番号 ${twelve()} でエラーが出ています`,
  () => `整理番号${twelve()}の申請書類が不足しています`,
  () => `${twelve()} の件、どうなりましたか？`,
  () => `ロット${twelve()}の消耗品が届きました`,
  () => `検索結果は ${url()} を見てください`,
  () => `例規集：${url()}`,
  () => `マイナンバーカードの交付窓口は${rooms()}です（内線${ext()}）`,
  () => `マイナンバーカード交付件数は${date()}時点で${comma(int(1000, 99999))}件です`,
  () => `個人番号カードの申請受付は${date()}まで、${time()}から${rooms()}で`,
  () => `マイナンバー関係の研修は${date()} ${time()}、${rooms()}です`,
  () => `マイナ保険証の問合せが増えています。${date()}から${int(2, 30)}件`,
  () => `通知カードは${date()}で廃止済みです。窓口案内を更新してください`,
  () => `マイナンバーカード交付予約の受付番号 ${twelve()} の方が来庁されました`,
  () => `マイナンバー制度の説明会 参加者${int(5, 120)}名、資料${int(10, 300)}部`,
  () => `住民票の写しの交付手数料は${int(2, 4)}00円です`,
  () => `基礎年金の説明会は${date()}、${rooms()}で${time()}から`,
  () => `運転免許証の自主返納の相談が${int(1, 20)}件ありました（${date()}）`,
  () => `クレジットカード納付の手数料は1件${int(30, 90)}円です`,
  () => `在留カードの更新案内を${int(10, 500)}通発送しました`,
  () => `${pick(names)}さん、${date()}の出張旅費 ${yen()} を精算してください`,
  () => `職員番号${pad(int(1, 99999), 5)}の${pick(names)}です。${pick(depts)}に異動になりました`,
  () => `工事番号 ${int(2024, 2026)}-${pad(int(1, 999), 3)}-${pad(int(1, 99), 2)} の検査は${date()}です`,
  () => `JANコード ${digits(13)} の物品を発注しました`,
  () => `ISBN978-4-${digits(2)}-${digits(6)}-${int(0, 9)}の図書を購入`,
  () => `人口は${comma(int(130000, 140000))}人、世帯数${comma(int(55000, 65000))}（${date()}現在）`,
  () => `気温${int(20, 38)}.${int(0, 9)}℃、熱中症警戒アラート発表中。${time()}に再確認します`,
  () => `避難所開設：${rooms()}、収容${int(50, 500)}人`,
  () => `${date()} ${time()} 震度${int(1, 5)}の地震。被害報告は${phone()}へ`,
  () => `パスワードリセットしました。ログインID ${pad(int(1, 99999), 5)}`,
  () => `IPアドレス 10.${int(0, 255)}.${int(0, 255)}.${int(1, 254)} からアクセスできません`,
  () => `バージョン ${int(1, 9)}.${int(0, 20)}.${int(0, 99)} に更新しました`,
  () => `シリアル ${digits(4)}-${digits(4)}-${digits(4)}-${digits(4)} のPCを返却`,
  () => `資産番号${digits(10)}のプロジェクタが故障しています`,
  () => `口座番号 ${digits(7)}（普通）に振込済み ${yen()}`,
  () => `会計年度任用職員の募集 ${int(2, 15)}名、時給${comma(int(1000, 1500))}円`,
  () => `${date()}の${pick(['市議会', '委員会', '庁議'])}資料は${int(10, 99)}ページです`,
  () => `了解です。${time()}に伺います`,
  () => `${pick(names)}さん、${rooms()}の予約を${date()} ${time()}で取りました`,
  () => `${twelve()}`,
];

const lines = [];
for (let i = 0; i < LINES; i++) lines.push(pick(templates)());

const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(here, 'corpus.txt'), `${lines.join('\n')}\n`);
console.log(`wrote ${lines.length} lines to ${join(here, 'corpus.txt')}`);
