import { UsernameField } from '../../shared/pages/UsernameField';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type AdminCenterBoot, type AdminCenterSession, adminCenterRoleNames } from '../../shared/schemas/adminCenter';
import { ApplicationsPage } from './pages/ApplicationsPage';
import { AuditLogPage } from './pages/AuditLogPage';
import { DomainsPage } from './pages/DomainsPage';
import { GroupsPage } from './pages/GroupsPage';
import { PolicyPage } from './pages/PolicyPage';
import { ReportsPage } from './pages/ReportsPage';
import { SignInLogsPage } from './pages/SignInLogsPage';
import { UserPage } from './pages/UserPage';
import { UsersPage } from './pages/UsersPage';

/**
 * The page's place, from the URL's fragment: `#/policy`, `#/users`, `#/users/<name>`, `#/groups`,
 * `#/groups/<name>`, `#/applications`, `#/logs`, `#/reports`, `#/audit`, `#/domains`.
 */
function useRoute(): string[] {
  const read = () =>
    (location.hash.replace(/^#\/?/, '').split('?')[0] || 'policy')
      .split('/')
      .filter(Boolean)
      .map((part) => decodeURIComponent(part));
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function AdminApp({ boot }: { boot: AdminCenterBoot }) {
  if (!boot.signedIn) return <SignInPage boot={boot} />;
  return <Console session={boot.session} />;
}

/**
 * Sign in with Nod: the username finds the organization from its domain (home realm discovery);
 * **Other organization** names it instead, for a domain no organization registered.
 */
function SignInPage({ boot }: { boot: Extract<AdminCenterBoot, { signedIn: false }> }) {
  const [otherOrganization, setOtherOrganization] = useState(Boolean(boot.otherOrganization));
  const [username, setUsername] = useState(boot.username ?? '');
  const [organization, setOrganization] = useState(boot.tenant ?? '');
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    // Typing goes to the field to fill: the organization's name when the domain found none, else the username.
    const first = boot.otherOrganization ? '#tenant' : '#username';
    form.current?.querySelector<HTMLInputElement>(first)?.focus();
  }, []);
  return (
    <main class="card">
      <p class="tenant">Nod</p>
      <h1>Admin center</h1>
      <p>Sign in with Nod: approve the sign-in on your phone. You need an admin role in your organization.</p>
      {boot.message && (
        <p id="sign-in-error" class="error" role="alert">
          {boot.message}
        </p>
      )}
      <form method="get" action="/admin/sign-in" ref={form}>
        <UsernameField value={username} onInput={setUsername} />
        {otherOrganization ? (
          <>
            <label for="tenant">Organization</label>
            <input
              id="tenant"
              name="tenant"
              type="text"
              autocomplete="organization"
              value={organization}
              onInput={(event) => setOrganization(event.currentTarget.value)}
              aria-describedby={boot.message ? 'tenant-hint sign-in-error' : 'tenant-hint'}
            />
            <p id="tenant-hint" class="muted small">
              The name your admin gave you, such as Contoso. Only needed when your username’s domain isn’t found.
            </p>
          </>
        ) : (
          <p>
            <button type="button" class="link" onClick={() => setOtherOrganization(true)}>
              Other organization
            </button>
          </p>
        )}
        <div class="actions">
          <button class="primary" type="submit">
            Sign in with Nod
          </button>
        </div>
      </form>
    </main>
  );
}

const links: Array<{ href: string; label: string; section?: string }> = [
  { href: '#/policy', label: 'Authenticator policy', section: 'Authentication methods' },
  { href: '#/users', label: 'Users', section: 'Identity' },
  { href: '#/groups', label: 'Groups' },
  { href: '#/applications', label: 'Applications' },
  { href: '#/logs', label: 'Sign-in logs', section: 'Monitoring' },
  { href: '#/reports', label: 'Reports' },
  { href: '#/audit', label: 'Audit log' },
  { href: '#/domains', label: 'Domain names', section: 'Settings' },
];

const titles: Record<string, string> = {
  policy: 'Authenticator policy',
  users: 'Users',
  groups: 'Groups',
  applications: 'Applications',
  logs: 'Sign-in logs',
  reports: 'Reports',
  audit: 'Audit log',
  domains: 'Domain names',
};

function Console({ session }: { session: AdminCenterSession }) {
  const route = useRoute();
  useEffect(() => {
    document.getElementById('app')?.classList.add('console');
  }, []);
  const [page, name] = route;
  useEffect(() => {
    document.title = `${name ?? titles[page] ?? 'Admin center'} | Nod admin center`;
  }, [page, name]);
  return (
    <div class="shell">
      <nav aria-label="Admin center">
        <p class="brand">Nod admin center</p>
        <p class="muted small brand">{session.tenantDisplayName}</p>
        <ul>
          {links.map((link) => (
            <li key={link.href}>
              {link.section && <p class="group">{link.section}</p>}
              <a href={link.href} aria-current={link.href === `#/${page}` ? 'page' : undefined}>
                {link.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main>
        <div class="header">
          <span class="muted small">
            Signed in as <strong>{session.displayName}</strong> ({session.username}) ·{' '}
            {session.roles.map((r) => adminCenterRoleNames[r]).join(', ')}
          </span>
          <a class="button" href="/admin/sign-out">
            Sign out
          </a>
        </div>
        {page === 'policy' && <PolicyPage />}
        {page === 'users' && (name ? <UserPage username={name} /> : <UsersPage />)}
        {page === 'groups' && <GroupsPage selected={name} />}
        {page === 'applications' && <ApplicationsPage />}
        {page === 'logs' && <SignInLogsPage />}
        {page === 'reports' && <ReportsPage />}
        {page === 'audit' && <AuditLogPage />}
        {page === 'domains' && <DomainsPage />}
      </main>
    </div>
  );
}
