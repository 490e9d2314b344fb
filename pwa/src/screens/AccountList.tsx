import type { SignInRequestDetails } from '../../../shared/schemas/signInRequests';
import { VerificationCode } from '../codes/VerificationCode';
import { type Account, accountName } from '../store/accountStore';
import { formatSeconds, useNow } from '../ui/hooks';
import { routes } from '../ui/router';
import { useOrganizationState, usePendingRequests } from '../ui/stores';
import { NotificationsSetting } from './NotificationsSetting';

/** Home: every pending request first, then the accounts grouped by tenant with their codes. */
export function AccountList({ accounts }: { accounts: Account[] }) {
  const requests = usePendingRequests();
  const relay = useOrganizationState();
  const tenants = new Map<string, Account[]>();
  for (const account of accounts) {
    const key = `${account.relayUrl} ${account.tenant}`;
    tenants.set(key, [...(tenants.get(key) ?? []), account]);
  }
  return (
    <>
      {requests.length > 0 && <PendingRequests requests={requests} accounts={accounts} />}
      {accounts.length === 0 ? (
        <section class="empty">
          <h2>No accounts yet</h2>
          <p>Add your work or school account to approve sign-ins with this phone, without a password.</p>
        </section>
      ) : (
        [...tenants.values()].map((group) => (
          <section class="tenant" key={`${group[0].relayUrl} ${group[0].tenant}`} aria-label={group[0].tenantDisplayName}>
            <h2>{group[0].tenantDisplayName}</h2>
            <ul class="accounts">
              {group.map((account) => {
                const view = relay.accounts.get(account.registrationId);
                const removed = view === 'removed';
                const blocked = typeof view === 'object' && view.disabled;
                const phoneSignIn = view === undefined ? account.phoneSignInEnabled : view !== 'removed' && view.phoneSignIn === 'on';
                return (
                  <li key={account.registrationId} class="account card">
                    <a class="account-link" href={routes.account(account.registrationId)} aria-label={`Account ${account.username}`}>
                      <span class="account-name">{accountName(account)}</span>
                      <span class="account-user">{account.username}</span>
                      {phoneSignIn && <span class="badge">Phone sign-in</span>}
                      {typeof view === 'object' && view.phoneSignIn === 'paused' && <span class="badge">Phone sign-in paused</span>}
                      {blocked && <span class="badge warn">Sign-in blocked by your organization</span>}
                      {removed && <span class="badge">Removed at your organization</span>}
                    </a>
                    {/* The relay no longer has this method, or refuses every sign-in: its codes would not be accepted. */}
                    {!removed && !blocked && <VerificationCode secret={account.totpSecret} username={account.username} />}
                  </li>
                );
              })}
            </ul>
          </section>
        ))
      )}
      {accounts.length > 0 && <NotificationsSetting compact />}
      <a class="button primary" href={routes.add}>
        Add account
      </a>
    </>
  );
}

function contextLine(request: SignInRequestDetails): string {
  const { applicationName, browser, location } = request.context;
  return [applicationName, browser, location].filter(Boolean).join(' · ');
}

function PendingRequests({ requests, accounts }: { requests: SignInRequestDetails[]; accounts: Account[] }) {
  const now = useNow();
  return (
    <section class="requests" aria-labelledby="requests-heading">
      <h2 id="requests-heading">Waiting for you</h2>
      <ul>
        {requests.map((request) => {
          const account = accounts.find((a) => a.registrationId === request.registrationId);
          const left = (Date.parse(request.expiresAt) - now) / 1000;
          return (
            <li key={request.requestId}>
              <a class="request card" href={routes.approve(request.registrationId, request.requestId)}>
                <strong>Approve sign-in request</strong>
                <span>
                  {request.tenantDisplayName}: {account ? accountName(account) : request.username} ({request.username})
                </span>
                {contextLine(request) && <span class="muted">{contextLine(request)}</span>}
                <span class="muted">{formatSeconds(left)} left</span>
              </a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
