import { useEffect, useState } from 'preact/hooks';
import { noContent } from '../../../shared/schemas/common';
import { type OidcClientView, oidcClientList, oidcClientView } from '../../../shared/schemas/oidcClients';
import { adminApi, describeError, enc, when } from '../api';
import { DataTable, SecretField, StatusLine, useAction } from '../components';

/** One URI a line; blank lines ignored. */
const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);

/** Applications: the tenant's OpenID Connect clients — register (the secret shown once), edit, delete. */
export function ApplicationsPage() {
  const [clients, setClients] = useState<OidcClientView[] | undefined>();
  const [created, setCreated] = useState<OidcClientView | undefined>();
  const [editing, setEditing] = useState<OidcClientView | undefined>();
  const load = async () => setClients((await adminApi('GET', '/clients', oidcClientList)).clients);
  const { status, setStatus, act } = useAction(load);
  useEffect(() => void load().catch((e) => setStatus({ ok: false, text: describeError(e) })), []);

  const remove = (client: OidcClientView) => {
    if (!confirm(`Delete ${client.displayName}? People can no longer sign in to it with Nod.`)) return;
    void act(async () => {
      await adminApi('DELETE', `/clients/${enc(client.clientId)}`, noContent);
      if (editing?.clientId === client.clientId) setEditing(undefined);
      if (created?.clientId === client.clientId) setCreated(undefined);
      return `${client.displayName} is deleted.`;
    });
  };

  return (
    <section aria-labelledby="apps-title">
      <h1 id="apps-title">Applications</h1>
      <p class="muted">Sites and apps that sign people in with Nod (OpenID Connect). Their issuer: {clients?.[0]?.issuer ?? '—'}</p>
      <StatusLine status={status} />
      <ClientForm
        key="new"
        title="Register an application"
        submit="Register"
        onSubmit={(input) =>
          act(async () => {
            const client = await adminApi('POST', '/clients', oidcClientView, input);
            setCreated(client);
            return `${client.displayName} is registered.`;
          })
        }
      />
      {created && (
        <section class="panel" aria-label={`New application ${created.displayName}`}>
          <p>
            Client ID: <code>{created.clientId}</code>
          </p>
          {created.clientSecret ? (
            <>
              <p>The client secret is shown only now. Put it in the application's configuration.</p>
              <SecretField label="Client secret" copyName="client secret" value={created.clientSecret} />
            </>
          ) : (
            <p>A public client has no secret: it uses PKCE.</p>
          )}
          <button type="button" onClick={() => setCreated(undefined)}>
            Done
          </button>
        </section>
      )}
      {clients && (
        <DataTable
          caption="Applications"
          columns={['Name', 'Client ID', 'Type', 'Redirect URIs', 'Registered', '']}
          empty="No application is registered."
          rows={clients.map((c) => (
            <tr key={c.clientId}>
              <td>{c.displayName}</td>
              <td>
                <code>{c.clientId}</code>
              </td>
              <td>{c.type === 'public' ? 'Public' : 'Confidential'}</td>
              <td>{c.redirectUris.join(' ')}</td>
              <td>{when(c.createdAt)}</td>
              <td>
                <button type="button" class="link" aria-label={`Edit ${c.displayName}`} onClick={() => setEditing(c)}>
                  Edit
                </button>{' '}
                <button type="button" class="danger" aria-label={`Delete ${c.displayName}`} onClick={() => remove(c)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        />
      )}
      {editing && (
        <ClientForm
          key={editing.clientId}
          title={`Edit ${editing.displayName}`}
          submit="Save application"
          client={editing}
          onCancel={() => setEditing(undefined)}
          onSubmit={(input) =>
            act(async () => {
              const { type: _type, ...changes } = input;
              const saved = await adminApi('PATCH', `/clients/${enc(editing.clientId)}`, oidcClientView, changes);
              setEditing(undefined);
              return `${saved.displayName} is saved.`;
            })
          }
        />
      )}
    </section>
  );
}

interface ClientInput {
  displayName: string;
  type: 'confidential' | 'public';
  redirectUris: string[];
  postLogoutRedirectUris: string[];
}

function ClientForm(props: {
  title: string;
  submit: string;
  client?: OidcClientView;
  onSubmit: (input: ClientInput) => Promise<void>;
  onCancel?: () => void;
}) {
  const { client } = props;
  const id = client ? 'edit' : 'new';
  const [displayName, setDisplayName] = useState(client?.displayName ?? '');
  const [type, setType] = useState<ClientInput['type']>(client?.type ?? 'confidential');
  const [redirects, setRedirects] = useState(client?.redirectUris.join('\n') ?? '');
  const [logouts, setLogouts] = useState(client?.postLogoutRedirectUris.join('\n') ?? '');
  return (
    <form
      class="panel"
      aria-label={props.title}
      onSubmit={(e) => {
        e.preventDefault();
        void props
          .onSubmit({ displayName: displayName.trim(), type, redirectUris: lines(redirects), postLogoutRedirectUris: lines(logouts) })
          .then(() => {
            if (!client) {
              setDisplayName('');
              setRedirects('');
              setLogouts('');
            }
          });
      }}
    >
      <h2>{props.title}</h2>
      <div class="field">
        <label for={`${id}-name`}>Name shown on the phone</label>
        <input id={`${id}-name`} type="text" required value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
      </div>
      {!client && (
        <div class="field">
          <label for={`${id}-type`}>Client type</label>
          <select id={`${id}-type`} value={type} onChange={(e) => setType(e.currentTarget.value as ClientInput['type'])}>
            <option value="confidential">Confidential (a server with a secret)</option>
            <option value="public">Public (a browser or native app, PKCE)</option>
          </select>
        </div>
      )}
      <div class="field">
        <label for={`${id}-redirects`}>Redirect URIs (one a line; https, or http on localhost)</label>
        <textarea id={`${id}-redirects`} rows={3} required value={redirects} onInput={(e) => setRedirects(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for={`${id}-logouts`}>Sign-out redirect URIs (optional, one a line)</label>
        <textarea id={`${id}-logouts`} rows={2} value={logouts} onInput={(e) => setLogouts(e.currentTarget.value)} />
      </div>
      <div class="actions">
        <button type="submit" class="primary">
          {props.submit}
        </button>
        {props.onCancel && (
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
