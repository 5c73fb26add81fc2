// Strings: Japanese first, English second. t('key', a, b) fills {0}, {1}.
const ja = {
  app: '回覧', login: 'ログイン', loginId: '職員番号', password: 'パスワード',
  totp: '二段階認証', totpOn: '二段階認証は有効です。', totpOff: '二段階認証を解除', totpStart: '設定を始める',
  totpHelp: '認証アプリ（Google Authenticator など）に鍵を登録し、表示された確認コードを入力してください。',
  totpKey: '鍵: ', totpConfirm: '確認して有効にする', totpRequired: '管理者は二段階認証の設定が必要です',
  disclosure: '情報公開', dxRoom: 'ルーム', dxChoose: 'ルームを選択', dxGround: '不開示事由', dxMark: '選択範囲を黒塗り',
  dxExport: '黒塗り版を作成', dxTruncated: '先頭の 4,000 件のみ表示しています。これより後のメッセージは確認できません。', dxHelp: '黒塗りする部分を選択するか、提案から選び、不開示事由を指定してください。黒塗りした文字は出力ファイルから削除されます。',
  dxPhone: '電話番号', dxName: '氏名', dxCount: '黒塗り {0} 箇所', dxDone: '黒塗り {0} 箇所の開示用ファイルを作成しました。', dxDownload: 'ダウンロード',
  approvalReminder: 'このルームでの合意は正式な決定ではありません。組織として決める内容は決裁を起案してください。',
  piiTitle: '個人情報の確認', piiSend: '個人情報ではないので送信',
  totpCode: '確認コード (6桁)', totpNeeded: '認証アプリに表示されている確認コードを入力してください',
  pwExpiry: 'パスワードの有効期限が近づいています。期限: ',
  loginFail: '職員番号またはパスワードが違います', locked: 'このアカウントはロックされています',
  logout: 'ログアウト', logoutQ: 'ログアウトしますか？', cancel: 'キャンセル', ok: 'OK', save: '保存', close: '閉じる',
  calendar: '閉庁日', officeHours: '執務時間', businessDays: '開庁日', ohOff: '時間外の送信: 制限なし', ohWarn: '時間外の送信: 警告して送信',
  ohHold: '時間外の送信: 翌開庁日の朝に送信（送信予約）', ohBlock: '時間外の送信: 緊急以外は送信不可', nowOpen: '現在は執務時間内です。', nowClosed: '現在は執務時間外です。',
  holidaysOf: '{0}年の祝日・閉庁日', cityClosure: '閉庁日', nationalHoliday: '国民の祝日', yearEnd: '年末年始（12月29日〜1月3日）は閉庁です。',
  disasterOn: '災害モード中: 時間外でもすぐに送信されます。', loading: '読み込み中…',
  talk: 'トーク', directory: 'アドレス帳', profile: 'プロフィール', settings: '設定',
  filter: 'ルームを検索', direct: '1対1', group: 'グループ', department: '所属', announcement: 'お知らせ',
  archived: 'アーカイブ済み', noRooms: 'トークルームはまだありません', newRoom: 'ルームを作成',
  unreadN: '未読 {0}', mentionMark: 'メンションあり', unreadHere: 'ここから未読', jumpUnread: '未読へ移動',
  latest: '最新へ', older: '以前のメッセージを読み込み中…', noMore: 'これより前のメッセージはありません',
  readN: '既読 {0}', readers: '既読者', readTab: '既読 {0}人', unreadTab: '未読 {0}人',
  reply: '返信', edit: '編集', edited: '(編集済み)', editedAt: '編集日時 {0}', recall: '送信取消',
  recallQ: 'このメッセージの送信を取り消しますか？相手の画面からも消えます。', recalled: 'メッセージの送信を取り消しました',
  readonly: 'このルームにはルーム管理者だけが投稿できます', archivedRo: 'アーカイブ済みのルームです', messages: 'メッセージ一覧',
  send: '送信', message: 'メッセージを入力', messageLabel: 'メッセージ', stamp: 'スタンプ', attach: 'ファイルを添付',
  replyTo: '{0} への返信', cancelReply: '返信をやめる', typing: '{0}さんが入力中…',
  heldUntil: '送信予約 {0} に送信', cancelHeld: '予約を取消', urgent: '緊急',
  pending: '送信待ち', failed: '送信できませんでした', retry: '再送', discard: '破棄',
  screenshotWarn: 'スクリーンショットは禁止されています。管理者に記録されました。',
  reconnecting: '接続が切れました。再接続しています…', offline: 'オフラインです。送信は接続後に行われます。',
  members: 'メンバー', memberN: 'メンバー {0}人', topic: 'トピック', roomName: 'ルーム名', details: 'ルーム情報',
  invite: '招待', leave: '退室', leaveQ: 'このルームから退室しますか？', archive: 'アーカイブする', unarchive: 'アーカイブを解除',
  owner: 'ルーム管理者', create: '作成', pickMembers: 'メンバーを選択', selectShown: '表示中の全員を選択', selected: '選択中 {0}人',
  search: '検索', name: '氏名', dirSearch: '名前・よみ・所属・内線で検索', startDirect: '1対1トーク',
  ext: '内線', workPhone: '勤務先電話', title: '役職', dept: '所属', kana: 'よみ', statusText: 'ひとこと',
  online: 'オンライン', away: '離席中', offlineP: 'オフライン', absent: '不在',
  absentSet: '不在を設定', absentUntil: '戻り予定', absentNote: '理由・メッセージ', absentClear: '不在を解除',
  absentUntilTxt: '{0}まで不在', saved: '保存しました', notify: 'デスクトップ通知を有効にする',
  notifyOn: 'デスクトップ通知は有効です', notifyDenied: '通知はブラウザで拒否されています', mute: '通知を一時停止', unmute: '通知を再開',
  lang: 'English', newMsg: '新着メッセージ {0}: {1}', you: '自分', noResult: '該当する職員はいません',
  changePw: 'パスワードを変更してください', curPw: '現在のパスワード', newPw: '新しいパスワード (10文字以上)',
  uploadFail: 'アップロードできませんでした', download: 'ダウンロード', back: '戻る', menu: 'メニュー',
  fileMsg: '[ファイル]', stampMsg: '[スタンプ]', selectRoom: 'トークルームを選択してください', all: '全員',
  dropHere: 'ここにドロップして添付', moreActions: '操作', jumpTo: '元のメッセージ', error: 'エラーが発生しました',
  searchPh: 'メッセージ・ファイルを検索', searchFilter: '絞り込み', searchAll: 'すべてのルーム', searchFiles: 'ファイルあり',
  searchNone: '見つかりませんでした', searchN: '{0} 件', searchPartial: '（時間がかかるため途中までの結果です）', fileHit: 'ファイル',
  searchEmpty: '上の検索欄に探したい言葉を入れてください',
  searchHelp: '例: 会議　"来週の会議"　-中止　from:職員番号　in:ルーム名　after:2026-11-01　before:2026-12-01　has:file',
};
const en = {
  app: 'Kairan', login: 'Log in', loginId: 'Staff ID', password: 'Password',
  totp: 'Two-step verification', totpOn: 'Two-step verification is on.', totpOff: 'Turn off two-step verification', totpStart: 'Start',
  totpHelp: 'Add the key to an authenticator app, then enter the code it shows.',
  totpKey: 'Key: ', totpConfirm: 'Confirm and turn on', totpRequired: 'Administrators must set up two-step verification',
  disclosure: 'Disclosure', dxRoom: 'Room', dxChoose: 'Choose a room', dxGround: 'Legal ground', dxMark: 'Mask the selection',
  dxExport: 'Make the masked edition', dxTruncated: 'Only the first 4,000 messages are shown; later ones cannot be reviewed here.', dxHelp: 'Select what to withhold, or pick a suggestion, and give its legal ground. Masked text is removed from the files.',
  dxPhone: 'Phone', dxName: 'Name', dxCount: '{0} masked', dxDone: 'The masked edition with {0} masked parts is ready.', dxDownload: 'Download',
  approvalReminder: 'Agreement in this room is not a formal decision: decisions for the organisation need formal approval (決裁).',
  piiTitle: 'Personal information?', piiSend: 'It is not: send',
  totpCode: 'Verification code (6 digits)', totpNeeded: 'Enter the code shown in your authenticator app',
  pwExpiry: 'Your password expires soon: ',
  loginFail: 'Wrong staff ID or password', locked: 'This account is locked',
  logout: 'Log out', logoutQ: 'Log out?', cancel: 'Cancel', ok: 'OK', save: 'Save', close: 'Close',
  calendar: 'Calendar', officeHours: 'Office hours', businessDays: 'business days', ohOff: 'Outside hours: no limit', ohWarn: 'Outside hours: sent with a warning',
  ohHold: 'Outside hours: held until the next business morning', ohBlock: 'Outside hours: urgent only', nowOpen: 'Within office hours now.', nowClosed: 'Outside office hours now.',
  holidaysOf: 'Holidays and closures {0}', cityClosure: 'City closure', nationalHoliday: 'National holiday', yearEnd: 'The city is closed from Dec 29 to Jan 3.',
  disasterOn: 'Disaster mode: messages go out at once at any hour.', loading: 'Loading…',
  talk: 'Chats', directory: 'Directory', profile: 'Profile', settings: 'Settings',
  filter: 'Search rooms', direct: 'Direct', group: 'Groups', department: 'Departments', announcement: 'Announcements',
  archived: 'Archived', noRooms: 'No rooms yet', newRoom: 'New room',
  unreadN: '{0} unread', mentionMark: 'Mentioned', unreadHere: 'Unread from here', jumpUnread: 'Jump to unread',
  latest: 'Latest', older: 'Loading earlier messages…', noMore: 'No earlier messages',
  readN: 'Read {0}', readers: 'Readers', readTab: 'Read ({0})', unreadTab: 'Unread ({0})',
  reply: 'Reply', edit: 'Edit', edited: '(edited)', editedAt: 'Edited {0}', recall: 'Unsend',
  recallQ: 'Unsend this message? It disappears for everyone.', recalled: 'This message was unsent',
  readonly: 'Only room admins can post here', archivedRo: 'This room is archived', messages: 'Messages',
  send: 'Send', message: 'Write a message', messageLabel: 'Message', stamp: 'Stamps', attach: 'Attach files',
  replyTo: 'Replying to {0}', cancelReply: 'Cancel reply', typing: '{0} is typing…',
  heldUntil: 'Scheduled for {0}', cancelHeld: 'Cancel', urgent: 'Urgent',
  pending: 'Waiting to send', failed: 'Could not send', retry: 'Retry', discard: 'Discard',
  screenshotWarn: 'Screenshots are not allowed; the administrators have been notified.',
  reconnecting: 'Connection lost. Reconnecting…', offline: 'Offline. Messages will be sent when back online.',
  members: 'Members', memberN: '{0} members', topic: 'Topic', roomName: 'Room name', details: 'Room info',
  invite: 'Invite', leave: 'Leave', leaveQ: 'Leave this room?', archive: 'Archive', unarchive: 'Unarchive',
  owner: 'Room admin', create: 'Create', pickMembers: 'Choose members', selectShown: 'Select all shown', selected: '{0} selected',
  search: 'Search', name: 'Name', dirSearch: 'Search by name, reading, department or extension', startDirect: 'Chat',
  ext: 'Ext.', workPhone: 'Work phone', title: 'Title', dept: 'Department', kana: 'Reading', statusText: 'Status',
  online: 'Online', away: 'Away', offlineP: 'Offline', absent: 'Absent',
  absentSet: 'Set absence', absentUntil: 'Back at', absentNote: 'Reason / note', absentClear: 'Clear absence',
  absentUntilTxt: 'Absent until {0}', saved: 'Saved', notify: 'Enable desktop notifications',
  notifyOn: 'Desktop notifications are on', notifyDenied: 'Notifications are blocked in the browser', mute: 'Pause notifications', unmute: 'Resume notifications',
  lang: '日本語', newMsg: 'New message in {0}: {1}', you: 'You', noResult: 'No staff found',
  changePw: 'Please change your password', curPw: 'Current password', newPw: 'New password (10+ characters)',
  uploadFail: 'Upload failed', download: 'Download', back: 'Back', menu: 'Menu',
  fileMsg: '[file]', stampMsg: '[stamp]', selectRoom: 'Choose a room', all: 'everyone',
  dropHere: 'Drop to attach', moreActions: 'Actions', jumpTo: 'Original message', error: 'Something went wrong',
  searchPh: 'Search messages and files', searchFilter: 'Filters', searchAll: 'All rooms', searchFiles: 'With files',
  searchNone: 'Nothing found', searchN: '{0} results', searchPartial: '(partial: the search took too long)', fileHit: 'File',
  searchEmpty: 'Type words to look for in the search box above',
  searchHelp: 'e.g. meeting  "next meeting"  -cancelled  from:login  in:room  after:2026-11-01  before:2026-12-01  has:file',
};
export let lang = localStorage.getItem('kairan.lang') === 'en' ? 'en' : 'ja';
export function setLang(l) { localStorage.setItem('kairan.lang', l); lang = l; document.documentElement.lang = l; }
export function t(k, ...a) {
  const s = (lang === 'en' ? en : ja)[k] ?? ja[k] ?? k;
  return a.length ? s.replace(/\{(\d)\}/g, (_, i) => a[i]) : s;
}
const tz = { timeZone: 'Asia/Tokyo' };
const dParts = new Intl.DateTimeFormat('en-CA', { ...tz, year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
function parts(iso) {
  const o = {};
  for (const p of dParts.formatToParts(new Date(iso))) o[p.type] = p.value;
  return o;
}
const WD = { Sun: '日', Mon: '月', Tue: '火', Wed: '水', Thu: '木', Fri: '金', Sat: '土' };
export const dayKey = (iso) => { const p = parts(iso); return `${p.year}-${p.month}-${p.day}`; };
export function fmtDate(iso) {
  const p = parts(iso);
  if (lang === 'en') return `${p.weekday}, ${p.year}-${p.month.padStart(2, '0')}-${p.day.padStart(2, '0')}`;
  return `${p.year}年${p.month}月${p.day}日(${WD[p.weekday]})`;
}
export const fmtTime = (iso) => { const p = parts(iso); return `${p.hour}:${p.minute}`; };
export const fmtDateTime = (iso) => fmtDate(iso) + ' ' + fmtTime(iso);
export function fmtShort(iso) { // room list: time today, else M/D
  if (!iso) return '';
  if (dayKey(iso) === dayKey(new Date().toISOString())) return fmtTime(iso);
  const p = parts(iso);
  return `${p.month}/${p.day}`;
}
export function fmtSize(n) {
  return n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KB' : (n / 1048576).toFixed(1) + ' MB';
}
