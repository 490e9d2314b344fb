import { useEffect, useState } from 'preact/hooks';
import { tenantDomainList } from '../../../shared/schemas/discovery';
import { RelayProblem } from '../../../shared/relay/relayErrors';
import { adminApi, describeError, enc } from '../api';
import { DataTable, StatusLine, useAction } from '../components';

/**
 * Settings → Domain names: the domains of the organization's usernames. People who type only their
 * username are sent to this organization by its domain (home realm discovery); a domain belongs to
 * one organization on this relay.
 */
export function DomainsPage() {
  const [domains, setDomains] = useState<string[] | undefined>();
  const [domain, setDomain] = useState('');
  const load = async () => setDomains((await adminApi('GET', '/domains', tenantDomainList)).domains);
  const { status, setStatus, act } = useAction(load);
  useEffect(() => void load().catch((e) => setStatus({ ok: false, text: describeError(e) })), []);

  const add = (event: Event) => {
    event.preventDefault();
    const typed = domain.trim();
    if (!typed) {
      setStatus({ ok: false, text: 'Enter a domain name, such as contoso.example.' });
      return;
    }
    void act(async () => {
      try {
        await adminApi('POST', '/domains', tenantDomainList, { domain: typed });
      } catch (e) {
        throw new Error(refusal(typed, e));
      }
      setDomain('');
      return `${typed.toLowerCase()} is added. Usernames ending in @${typed.toLowerCase()} now find this organization.`;
    });
  };
  const remove = (name: string) => {
    if (!confirm(`Remove ${name}? People with a username at ${name} will need to choose the organization themselves.`)) return;
    void act(async () => {
      await adminApi('DELETE', `/domains/${enc(name)}`, tenantDomainList);
      return `${name} is removed.`;
    });
  };

  return (
    <section aria-labelledby="domains-title">
      <h1 id="domains-title">Domain names</h1>
      <p class="muted">
        People who sign in with a username at one of these domains need not name the organization: Nod finds it from the domain. Each domain
        belongs to one organization.
      </p>
      <StatusLine status={status} />
      <form class="toolbar" onSubmit={add} aria-label="Add a domain name" noValidate>
        <div class="field">
          <label for="domain-name">Domain name</label>
          <input
            id="domain-name"
            type="text"
            autocapitalize="none"
            spellcheck={false}
            placeholder="contoso.example"
            value={domain}
            onInput={(e) => setDomain(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="primary">
          Add domain
        </button>
      </form>
      {domains && (
        <DataTable
          caption="Domain names"
          columns={['Domain name', '']}
          empty="No domain name yet: people choose the organization themselves."
          rows={domains.map((name) => (
            <tr key={name}>
              <td>{name}</td>
              <td>
                <button type="button" class="danger" aria-label={`Remove ${name}`} onClick={() => remove(name)}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        />
      )}
    </section>
  );
}

/** Why a domain was not added, in words: taken (here or by another organization), or not a domain name. */
function refusal(domain: string, error: unknown): string {
  if (error instanceof RelayProblem && error.status === 409) return error.detail ?? `${domain} is registered already.`;
  if (error instanceof RelayProblem && error.status === 400 && error.field === 'domain') {
    return `“${domain}” is not a domain name. Enter one such as contoso.example: letters, digits and hyphens, with at least one dot.`;
  }
  return describeError(error);
}
