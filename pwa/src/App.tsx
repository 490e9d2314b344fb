import { useEffect, useState } from 'preact/hooks';
import { setUpPush } from './push/pushSubscription';
import { followAccounts, reconnectNow } from './requests/requestStore';
import type { Account } from './store/accountStore';
import { clockIsOff, clockOffWords, syncAll, unreachableAccounts } from './store/organizationState';
import { AccountList } from './screens/AccountList';
import { AccountSettings } from './screens/AccountSettings';
import { Approve } from './screens/Approve';
import { RequestAlert } from './ui/RequestAlert';
import { useOnline } from './ui/hooks';
import { type Route, routes, useRoute } from './ui/router';
import { useAccounts, useOrganizationState } from './ui/stores';
import { type UpdateState, useUpdate } from './updates';

export function App() {
  const accounts = useAccounts();
  const route = useRoute();
  const online = useOnline();
  const update = useUpdate();

  useEffect(() => {
    if (!accounts) return;
    followAccounts(accounts);
    void syncAll(accounts);
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
      <p id="announcer" class="visually-hidden" aria-live="polite" />
      <UpdateBanner update={update} />
      {!online && (
        <p class="notice offline" role="status">
          You're offline. Verification codes still work.
        </p>
      )}
      {online && accounts && <UnreachableBanner accounts={accounts} />}
      {online && accounts && <ClockOffBanner accounts={accounts} />}
      <RequestAlert route={route} />
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
    case 'enroll':
      return <AddAccountScreen route={route} relayUrl={relayUrl} accounts={accounts} />;
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

/** "Try again" on a banner: the live channel reconnects and every account is read again; the button says so while it tries. */
function useTryAgain(accounts: Account[]) {
  const [trying, setTrying] = useState(false);
  const retry = async () => {
    setTrying(true);
    try {
      await Promise.all([reconnectNow(), syncAll(accounts)]);
    } finally {
      setTrying(false);
    }
  };
  return { trying, retry };
}

/**
 * The organization's Nod service cannot be reached (down, or a proxy answers in its place): say so,
 * as sign-in requests cannot arrive meanwhile, with a way to try again now.
 */
function UnreachableBanner({ accounts }: { accounts: Account[] }) {
  useOrganizationState();
  const { trying, retry } = useTryAgain(accounts);
  const names = [...new Set(unreachableAccounts(accounts).map((a) => a.tenantDisplayName))];
  if (names.length === 0) return null;
  return (
    <section class="notice unreachable" role="alert" aria-label="Can't reach your organization">
      <p>
        <strong>Can't reach your organization</strong> ({names.join(', ')}). Sign-in requests can't reach this phone until it's back.
        Verification codes still work.
      </p>
      <button type="button" class="button" disabled={trying} onClick={retry}>
        {trying ? 'Trying again…' : 'Try again'}
      </button>
    </section>
  );
}

/**
 * The organization refuses the phone's signed calls because its clock is off (even after the app
 * signed again on the organization's clock): no request can arrive until the clock is right.
 */
function ClockOffBanner({ accounts }: { accounts: Account[] }) {
  useOrganizationState();
  const { trying, retry } = useTryAgain(accounts);
  if (!clockIsOff(accounts)) return null;
  return (
    <section class="notice unreachable" role="alert" aria-label="Your phone's clock is off">
      <p>
        <strong>{clockOffWords}.</strong> Sign-in requests can't reach this phone until its clock is right. Verification codes still work.
      </p>
      <button type="button" class="button" disabled={trying} onClick={retry}>
        {trying ? 'Trying again…' : 'Try again'}
      </button>
    </section>
  );
}

type AddAccountScreens = typeof import('./screens/AddAccount');
let addAccountScreens: Promise<AddAccountScreens> | undefined;

/**
 * Adding an account is loaded when it is first opened (the service worker precaches it, so offline
 * too): the everyday screens — codes, requests — start with less JavaScript.
 */
function AddAccountScreen({ route, relayUrl, accounts }: { route: Route; relayUrl: string; accounts: Account[] }) {
  const [screens, setScreens] = useState<AddAccountScreens>();
  useEffect(() => {
    addAccountScreens ??= import('./screens/AddAccount');
    void addAccountScreens.then(setScreens);
  }, []);
  if (!screens) return <p role="status">Loading…</p>;
  const { AddAccountChoice, EnrollWithLink, EnrollWithPass, WorkAccountChoice } = screens;
  const [first, second, third] = route.path;
  if (first === 'enroll') return <EnrollWithLink relayUrl={relayUrl} accounts={accounts} code={route.query.get('code') ?? undefined} />;
  if (second === 'work' && third === 'sign-in') return <EnrollWithPass relayUrl={relayUrl} accounts={accounts} />;
  if (second === 'work' && third === 'link') return <EnrollWithLink relayUrl={relayUrl} accounts={accounts} />;
  if (second === 'work') return <WorkAccountChoice />;
  return <AddAccountChoice />;
}
