import type { Account } from '../store/accountStore';
import type { AccountView } from '../store/organizationState';
import { formatClock } from '../ui/hooks';

/** What the account screen says of phone sign-in, from the relay's word (or the phone's memory until it is read). */
export function phoneSignInWords(account: Account, view: AccountView): { text: string; offer: 'enable' | 'disable' | 'none' } {
  if (view === 'removed') {
    return { text: 'This account was removed at your organization, so it no longer signs in with this phone.', offer: 'none' };
  }
  switch (view?.phoneSignIn) {
    case 'blocked':
      return {
        text: 'Sign-in is blocked for this account by your organization: it cannot sign in with this phone or its verification codes. Ask your admin.',
        offer: 'none',
      };
    case 'push_only':
      return {
        text: 'Your organization uses Nod to approve sign-ins after your password. Phone sign-in without a password is not available for this account.',
        offer: view.phoneSignInEnabled ? 'disable' : 'none',
      };
    case 'not_allowed':
      return {
        text: 'Your organization has not turned on phone sign-in for this account.',
        offer: view.phoneSignInEnabled ? 'disable' : 'none',
      };
    case 'paused': {
      const since = view.pausedSince ? ` since ${formatClock(Date.parse(view.pausedSince))}` : '';
      return {
        text: `Phone sign-in is paused${since}, after you reported a sign-in that wasn't you. Requests from browsers you have never signed in with wait until you sign in once from a browser you used before, or until your admin clears it. Verification codes still work.`,
        offer: view.phoneSignInEnabled ? 'disable' : 'none',
      };
    }
    case 'on':
      return { text: 'Phone sign-in is on: sign in to this account without a password by approving a request here.', offer: 'disable' };
    case 'off':
      return { text: offText, offer: 'enable' };
    default:
      return account.phoneSignInEnabled
        ? { text: 'Phone sign-in is on: sign in to this account without a password by approving a request here.', offer: 'disable' }
        : { text: offText, offer: 'enable' };
  }
}

const offText =
  'Phone sign-in is off. Turn it on to sign in without a password: you enter the number shown on the sign-in screen and confirm with your PIN or biometric.';
