// Strings: Japanese first, English second. t('key', a, b) fills {0}, {1}.
const ja = {
  app: '回覧', login: 'ログイン', loginId: '職員番号', password: 'パスワード',
  totp: '二段階認証', totpOn: '二段階認証は有効です。', totpOff: '二段階認証を解除', totpStart: '設定を始める',
  totpHelp: '認証アプリ（Google Authenticator など）に鍵を登録し、表示された確認コードを入力してください。',
  totpKey: '鍵: ', totpConfirm: '確認して有効にする', totpRequired: '管理者は二段階認証の設定が必要です',
  disclosure: '情報公開', dxRoom: 'ルーム', dxChoose: 'ルームを選んでください。', dxRooms: '対象のルーム', dxFilter: 'ルーム名で絞り込み', dxFrom: '期間（から）', dxTo: '期間（まで）', dxLoad: '表示', dxKeywords: 'キーワード', dxKeywordsHelp: '空白区切り・いずれかを含む', dxBadPeriod: '期間の終わりは始まりより後にしてください。', dxLoaded: '{0} ルーム、{1} 件を表示しています。', dxGround: '不開示事由', dxMark: '選択範囲を黒塗り',
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
  // notes, meetings, memos, paper saved
  record: '決裁用記録', recordHelp: 'このメッセージと返信を PDF で保存（決裁に添付）', noteTitle: '題名', notesMeetings: 'ノート・会議', notesOf: '{0} のノート・会議', notes: 'ノート', meetings: '会議', newNote: '新規ノート', newMaterial: '会議資料を作成',
  newMeeting: '会議を作成', editNote: 'ノートを編集', kindNote: 'ノート', kindMaterial: '資料', kindMinutes: '議事録',
  noMeetings: '会議はまだありません。', noNotes: 'ノートはまだありません。', unopened: '未読', lastUpdated: '最終更新',
  pagesN: '{0}ページ', pagesUnknown: 'ページ数不明', readStatus: '既読 {0} / {1} 人', opened: '開いた人', notOpened: 'まだ開いていない人',
  remindUnread: '未読の人にお知らせ', reminded: '{0} 人にお知らせしました。', versionN: '第{0}版', author: '作成', suggestEdit: '編集を提案',
  versions: '版の履歴', suggestions: '編集の提案', accept: '採用', reject: '見送り', materialTitleAuto: '題名は「第N回 〇〇 資料」と自動で付きます',
  series: '会議名', body: '本文', preview: 'プレビュー', remove: '外す', minutesDraft: '議事録の作成', minutesHelp: 'ルームの発言とタグから下書きを作りました。確認・修正してから投稿してください。',
  mdHelp: '# 見出し、- 箇条書き、1. 番号、| 表 |、**太字**、[リンク](https://…) が使えます。HTML は使えません。',
  postMinutes: '議事録を投稿', sendSuggestion: '提案を送る', suggestionSent: '編集の提案を送りました。', versionConflict: 'ほかの人が先に更新しました。ページを開き直して最新の内容から編集してください。',
  date: '日付', start: '開始', end: '終了', place: '場所', chatOnly: 'チャットのみ', agenda: '議題', agendaHelp: '1 行に 1 つ', materials: '資料',
  organiser: '主催', openRoom: 'ルームを開く', makeMinutes: '議事録を作成', assignee: '担当', due: '期限', answerTo: '回答する質問',
  noQuestions: '質問のタグが付いた発言がありません', setTag: 'タグ', removeTag: 'タグを外す',
  tag_question: '質問', tag_opinion: '意見', tag_answer: '回答', tag_decision: '決定', tag_action: '宿題',
  noteCreated: 'ノートを作成しました', noteUpdated: '第{0}版に更新しました',
  memo: '伝言メモ', memoNew: '伝言メモを書く', memoFor: '宛先', memoSearch: '名前・ふりがな・内線で検索', callerName: '相手のお名前',
  callerOrg: '会社・団体名', callbackNumber: '折り返し先', receivedAt: '受けた日時', memoBody: '用件', memoRequest: '相手のご希望',
  req_callback: '折り返し電話ください', req_will_call: 'また電話します', req_message_only: '用件のみ', backAt: '戻り', notAbsent: '在席（不在の登録なし）',
  memoSend: 'メモを届ける', memoInbox: '受け取った伝言', memoTaken: '自分が受けた伝言', memoPick: '宛先を選んでください。',
  memoSent: '{0} さんに伝言メモを届けました。', memoNone: 'ありません。', memoTakenBy: '受付', confirmedAt: '確認済み {0}', unconfirmed: '未確認', confirm: '確認',
  paper: '紙削減', paperChart: '月別の削減枚数', sheets: '枚', from: '開始月', to: '終了月', show: '表示', paperPeriod: '期間の削減',
  paperSince: '導入以来', paperByMonth: '月別', paperByDept: '部署別', noData: 'データがありません。', paperUnknown: 'ページ数が不明な資料',
  paperUnknownHelp: 'ページ数を読み取れなかった資料は 0 枚とせず、ここに挙げて集計から除いています。',
  costPerSheet: '1 枚あたり {0} 円で計算', csvUtf8: 'CSV（UTF-8）', csvCp932: 'CSV（Excel 旧形式 CP932）', paperMethod: '計算方法',
  paperMethodText: 'ノートで共有した資料のページ数 × 作成者以外で画面で開いた人数を、印刷しなかった枚数として数えます。部署はルームの所属（なければ最初の管理者の所属）、月は各人が初めて開いた月です。金額は枚数 × 1 枚あたりの費用（市が設定、既定は手引きの 21,643 円 ÷ 8,778 枚）を四捨五入したものです。',
};
const en = {
  app: 'Kairan', login: 'Log in', loginId: 'Staff ID', password: 'Password',
  totp: 'Two-step verification', totpOn: 'Two-step verification is on.', totpOff: 'Turn off two-step verification', totpStart: 'Start',
  totpHelp: 'Add the key to an authenticator app, then enter the code it shows.',
  totpKey: 'Key: ', totpConfirm: 'Confirm and turn on', totpRequired: 'Administrators must set up two-step verification',
  disclosure: 'Disclosure', dxRoom: 'Room', dxChoose: 'Choose the rooms.', dxRooms: 'Rooms', dxFilter: 'Filter by name', dxFrom: 'From', dxTo: 'To', dxLoad: 'Show', dxKeywords: 'Keywords', dxKeywordsHelp: 'space-separated, any of them', dxBadPeriod: 'The end of the period must be after its start.', dxLoaded: '{0} rooms, {1} messages.', dxGround: 'Legal ground', dxMark: 'Mask the selection',
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
  record: 'Record', recordHelp: 'Save this message and its replies as a PDF (for formal approval)', noteTitle: 'Title', notesMeetings: 'Notes & meetings', notesOf: 'Notes and meetings: {0}', notes: 'Notes', meetings: 'Meetings', newNote: 'New note', newMaterial: 'New meeting material',
  newMeeting: 'New meeting', editNote: 'Edit note', kindNote: 'Note', kindMaterial: 'Material', kindMinutes: 'Minutes',
  noMeetings: 'No meetings yet.', noNotes: 'No notes yet.', unopened: 'Unread', lastUpdated: 'Last updated',
  pagesN: '{0} pages', pagesUnknown: 'pages unknown', readStatus: 'Read by {0} of {1}', opened: 'Opened', notOpened: 'Not opened yet',
  remindUnread: 'Remind those who have not read it', reminded: 'Reminded {0}.', versionN: 'Version {0}', author: 'by', suggestEdit: 'Suggest an edit',
  versions: 'Versions', suggestions: 'Suggested edits', accept: 'Accept', reject: 'Decline', materialTitleAuto: 'Titled "No. N … material" automatically',
  series: 'Meeting name', body: 'Body', preview: 'Preview', remove: 'Remove', minutesDraft: 'Minutes', minutesHelp: 'Drafted from the room and its tags. Check and edit before posting.',
  mdHelp: '# heading, - list, 1. numbered, | table |, **bold**, [link](https://…). No HTML.',
  postMinutes: 'Post minutes', sendSuggestion: 'Send suggestion', suggestionSent: 'Suggestion sent.', versionConflict: 'Someone updated it first. Reopen the note and edit the latest version.',
  date: 'Date', start: 'Start', end: 'End', place: 'Place', chatOnly: 'Chat only', agenda: 'Agenda', agendaHelp: 'One item per line', materials: 'Materials',
  organiser: 'Organiser', openRoom: 'Open room', makeMinutes: 'Draft minutes', assignee: 'Assignee', due: 'Due', answerTo: 'Answers the question',
  noQuestions: 'No message is tagged as a question', setTag: 'Tag', removeTag: 'Remove tag',
  tag_question: 'Question', tag_opinion: 'Opinion', tag_answer: 'Answer', tag_decision: 'Decision', tag_action: 'Action item',
  noteCreated: 'created a note', noteUpdated: 'updated to version {0}',
  memo: 'Phone memos', memoNew: 'Take a memo', memoFor: 'For', memoSearch: 'Name, reading or extension', callerName: 'Caller',
  callerOrg: 'Organisation', callbackNumber: 'Call back on', receivedAt: 'Received', memoBody: 'Message', memoRequest: 'The caller asked',
  req_callback: 'Please call back', req_will_call: 'Will call again', req_message_only: 'Message only', backAt: 'back at', notAbsent: 'Not marked absent',
  memoSend: 'Deliver memo', memoInbox: 'Memos for me', memoTaken: 'Memos I took', memoPick: 'Choose whom the memo is for.',
  memoSent: 'Memo delivered to {0}.', memoNone: 'None.', memoTakenBy: 'Taken by', confirmedAt: 'Confirmed {0}', unconfirmed: 'Not confirmed', confirm: 'Confirm',
  paper: 'Paper saved', paperChart: 'Sheets saved by month', sheets: ' sheets', from: 'From', to: 'To', show: 'Show', paperPeriod: 'In the period',
  paperSince: 'Since adoption', paperByMonth: 'By month', paperByDept: 'By department', noData: 'No data.', paperUnknown: 'Materials with unknown page counts',
  paperUnknownHelp: 'Materials whose pages could not be read are listed here and left out, never counted as zero.',
  costPerSheet: 'At ¥{0} per sheet', csvUtf8: 'CSV (UTF-8)', csvCp932: 'CSV (older Excel, CP932)', paperMethod: 'How it is counted',
  paperMethodText: 'Pages of each material shared as a note × people other than its author who opened it on screen = sheets not printed; counted for the room\'s department (or its first owner\'s) in the month each person first opened it; yen = sheets × the cost per sheet the city sets (default ¥21,643 / 8,778 sheets), rounded.',
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
