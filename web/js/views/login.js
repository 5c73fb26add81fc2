// Login (staff id + password, and the 6-digit code when TOTP is on) and the forced password change.
import { h, clear } from '../dom.js';
import { post, put } from '../api.js';
import { t, lang, setLang } from '../i18n.js';

export function loginView(root, done, mustChange) {
  const err = h('p.error', { role: 'alert' });
  const f = mustChange
    ? h('form.card.login', null, h('h1', null, t('changePw')),
      h('label', null, t('curPw'), h('input', { type: 'password', name: 'cur', required: true, autocomplete: 'current-password' })),
      h('label', null, t('newPw'), h('input', { type: 'password', name: 'nw', required: true, minLength: 10, autocomplete: 'new-password' })),
      err, h('button.btn.primary', { type: 'submit' }, t('save')))
    : h('form.card.login', null,
      h('div.logo', null, h('img', { src: '/favicon.svg', alt: '', width: 48, height: 48 }), h('h1', null, t('app'))),
      h('label', null, t('loginId'), h('input', { name: 'login', required: true, autocomplete: 'username', autofocus: true })),
      h('label', null, t('password'), h('input', { type: 'password', name: 'pw', required: true, autocomplete: 'current-password' })),
      h('label.totp', { hidden: true }, t('totpCode'), h('input', { name: 'totp', inputmode: 'numeric', pattern: '[0-9]{6}', maxLength: 6, autocomplete: 'one-time-code' })),
      err, h('button.btn.primary', { type: 'submit' }, t('login')),
      h('button.btn.ghost.lang', { type: 'button', onclick: () => { setLang(lang === 'ja' ? 'en' : 'ja'); loginView(root, done); } }, t('lang')));
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    const btn = f.querySelector('[type=submit]');
    btn.disabled = true;
    try {
      if (mustChange) await put('/me/password', { current_password: f.cur.value, new_password: f.nw.value });
      else {
        const body = { login: f.login.value.trim(), password: f.pw.value };
        if (f.totp.value) body.totp = f.totp.value;
        await post('/auth/login', body);
      }
      localStorage.setItem('kairan.in', '1');
      clear(root); done();
    } catch (x) {
      if (x.code === 'totp_required') {
        // The password was right; the account also needs the code from the authenticator app.
        f.querySelector('label.totp').hidden = false;
        f.totp.required = true;
        f.totp.focus();
        err.textContent = t('totpNeeded');
      } else {
        err.textContent = x.code === 'account_locked' ? t('locked') : x.code === 'rate_limited' ? (x.message || t('error'))
          : x.status === 401 ? t('loginFail') : (x.message || t('error'));
      }
      btn.disabled = false;
    }
  });
  clear(root, h('main.login-wrap', null, f));
  (f.querySelector('[autofocus]') || f.querySelector('input')).focus();
}
