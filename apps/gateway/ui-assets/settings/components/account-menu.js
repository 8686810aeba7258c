// The top bar's account area: which key is signed in (its public prefix only) and signing out.
import { clear, h } from '../../dom.js';
import { signedInKey, signOut } from '../session.js';

const account = document.getElementById('account');

export function renderAccount() {
  const apiKey = signedInKey();
  if (!apiKey) {
    clear(account);
    return;
  }
  clear(
    account,
    h('span', { class: 'key-hint' }, 'Signed in with ', h('code', {}, `${apiKey.split('_').slice(0, 2).join('_')}_…`)),
    h('button', { type: 'button', class: 'button button-quiet', onclick: () => signOut('Signed out.') }, 'Sign out'),
  );
}
