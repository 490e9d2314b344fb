import { useEffect } from 'preact/hooks';
import { setUpPush } from './push/pushSubscription';
import { followAccounts } from './requests/requestStore';
import { AccountList } from './screens/AccountList';
import { AccountSettings } from './screens/AccountSettings';
import { AddAccountChoice, EnrollWithLink, EnrollWithPass, WorkAccountChoice } from './screens/AddAccount';
import { Approve } from './screens/Approve';
import { useOnline } from './ui/hooks';
import { type Route, routes, useRoute } from './ui/router';
import { useAccounts } from './ui/stores';
import { type UpdateState, useUpdate } from './updates';

export function App() {
  const accounts = useAccounts();
  const route = useRoute();
  const online = useOnline();
  const update = useUpdate();

  useEffect(() => {
    if (!accounts) return;
    followAccounts(accounts);
    void setUpPush(accounts);
  }, [accounts]);

  const home = route.path.length === 0;
  return (
    <>
      <header class="bar">
        {!home && (
          <a class="back" href={routes.home} aria-label="Back to accounts">
            ‹
          </a>
        )}
        <h1>Nod</h1>
      </header>
      <UpdateBanner update={update} />
      {!online && (
        <p class="notice offline" role="status">
          You're offline. Verification codes still work.
        </p>
      )}
      {home && route.query.get('removed') === 'offline' && (
        <p class="notice" role="status">
          The account was removed from this phone. You were offline, so it is still listed for you at your organization: ask your admin to
          remove it.
        </p>
      )}
      <main>{accounts ? <Screen route={route} accounts={accounts} /> : <p role="status">Loading…</p>}</main>
    </>
  );
}

function Screen({ route, accounts }: { route: Route; accounts: NonNullable<ReturnType<typeof useAccounts>> }) {
  const relayUrl = location.origin;
  const [first, second, third] = route.path;
  switch (first) {
    case undefined:
      return <AccountList accounts={accounts} />;
    case 'add':
      if (second === 'work' && third === 'sign-in') return <EnrollWithPass relayUrl={relayUrl} accounts={accounts} />;
      if (second === 'work' && third === 'link') return <EnrollWithLink relayUrl={relayUrl} accounts={accounts} />;
      if (second === 'work') return <WorkAccountChoice />;
      return <AddAccountChoice />;
    case 'enroll':
      return <EnrollWithLink relayUrl={relayUrl} accounts={accounts} code={route.query.get('code') ?? undefined} />;
    case 'account':
      return <AccountSettings key={second} account={accounts.find((a) => a.registrationId === second)} />;
    case 'approve':
      return <Approve key={third} account={accounts.find((a) => a.registrationId === second)} requestId={third ?? ''} />;
    default:
      return (
        <section>
          <h2>Not found</h2>
          <a href={routes.home}>Back to accounts</a>
        </section>
      );
  }
}

function UpdateBanner({ update }: { update: UpdateState }) {
  if (!update.waiting) return null;
  return (
    <div class="notice update" role="alert">
      A new version is ready —{' '}
      <button type="button" class="link" onClick={update.reload}>
        Reload
      </button>
    </div>
  );
}
