import { useEffect, useState } from 'preact/hooks';
import { discoverTenant, findTenantByName, unknownOrganizationWords } from '../../../shared/relay/discoverTenant';
import type { HomeRealm } from '../../../shared/schemas/discovery';
import { domainOfUsername } from '../../../shared/schemas/discovery';
import type { FindOrganizationBoot } from '../../../shared/schemas/hostedPages';
import { announce, useFocusFirstInput } from '../announce';
import { failureWords } from '../failureWords';
import { UsernameField } from '../../../shared/pages/UsernameField';

/**
 * Sign in without knowing the organization's short name: the username's domain finds it (home
 * realm discovery). **Other organization** is the fallback, by the name people know it by.
 */
export function FindOrganizationApp({ boot }: { boot: FindOrganizationBoot }) {
  const [otherOrganization, setOtherOrganization] = useState(false);
  const [username, setUsername] = useState('');
  const [organization, setOrganization] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const form = useFocusFirstInput<HTMLFormElement>();
  useEffect(() => announce('Sign in'), []);

  const go = (realm: HomeRealm, name: string) => {
    const query = new URLSearchParams({ login_hint: name });
    location.assign(`/t/${encodeURIComponent(realm.tenant)}/${boot.next}?${query}`);
  };

  const submit = async () => {
    const name = username.trim();
    if (!name) return 'Enter your username, like someone@contoso.example.';
    try {
      if (otherOrganization) {
        if (!organization.trim()) return 'Enter the name of your organization, like Contoso.';
        const realm = await findTenantByName(location.origin, organization);
        if (!realm) return unknownOrganizationWords(organization);
        go(realm, name);
        return undefined;
      }
      const domain = domainOfUsername(name);
      if (!domain) return 'Enter your username with its domain, like someone@contoso.example, or choose Other organization.';
      const realm = await discoverTenant(location.origin, name);
      if (!realm) {
        setOtherOrganization(true);
        return `We couldn’t find an organization for ${domain}. Enter your organization’s name below.`;
      }
      go(realm, name);
      return undefined;
    } catch (error) {
      return failureWords(error);
    }
  };

  return (
    <main class="card">
      <form
        ref={form}
        noValidate
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(await submit());
          setBusy(false);
        }}
      >
        <h1>Sign in</h1>
        <p class="muted">to My Sign-ins</p>
        <UsernameField value={username} onInput={setUsername} errorId={error && !otherOrganization ? 'find-error' : undefined} />
        {otherOrganization && (
          <>
            <label for="organization">Organization</label>
            <input
              id="organization"
              name="organization"
              type="text"
              autocomplete="organization"
              value={organization}
              aria-describedby="organization-hint"
              onInput={(event) => setOrganization((event.target as HTMLInputElement).value)}
            />
            <p id="organization-hint" class="muted small">
              The name your admin gave you, such as Contoso. Only needed when your username’s domain isn’t found.
            </p>
          </>
        )}
        {error && (
          <p id="find-error" class="error" role="alert">
            {error}
          </p>
        )}
        {!otherOrganization && (
          <p>
            <button type="button" class="link" onClick={() => setOtherOrganization(true)}>
              Other organization
            </button>
          </p>
        )}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Next
          </button>
        </div>
      </form>
    </main>
  );
}
