import { useEffect, useState } from 'preact/hooks';
import { type AuditEventView, auditOutcomes, signInLog, signInMethods } from '../../../shared/schemas/directory';
import { adminApi, describeError, when } from '../api';

const columns = ['at', 'type', 'outcome', 'username', 'method', 'origin', 'ip', 'location', 'userAgent', 'reason'] as const;

/** Sign-in logs: every sign-in attempt of the tenant (the admin API's sign-in log), filtered, one in detail, exported as CSV or JSON. */
export function SignInLogsPage() {
  const initialUser = new URLSearchParams(location.hash.split('?')[1] ?? '').get('user') ?? '';
  const [user, setUser] = useState(initialUser);
  const [outcome, setOutcome] = useState('');
  const [method, setMethod] = useState('');
  const [since, setSince] = useState('');
  const [events, setEvents] = useState<AuditEventView[] | undefined>();
  const [selected, setSelected] = useState<AuditEventView | undefined>();
  const [error, setError] = useState<string | undefined>();

  const load = async () => {
    setError(undefined);
    const query = new URLSearchParams({ limit: '200' });
    if (user.trim()) query.set('user', user.trim());
    if (outcome) query.set('outcome', outcome);
    if (method) query.set('method', method);
    if (since) query.set('from', new Date(since).toISOString());
    try {
      setEvents((await adminApi('GET', `/sign-ins?${query}`, signInLog)).signIns);
      setSelected(undefined);
    } catch (e) {
      setError(describeError(e));
    }
  };
  useEffect(() => void load(), []);

  const download = (kind: 'csv' | 'json') => {
    const rows = events ?? [];
    const text =
      kind === 'json'
        ? JSON.stringify(rows, null, 2)
        : [columns.join(','), ...rows.map((e) => columns.map((c) => csvCell(e[c])).join(','))].join('\r\n');
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([text], { type: kind === 'json' ? 'application/json' : 'text/csv' }));
    link.download = `sign-in-log.${kind}`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  };

  return (
    <section aria-labelledby="logs-title">
      <h1 id="logs-title">Sign-in logs</h1>
      <form
        class="toolbar"
        aria-label="Filters"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <div class="field">
          <label for="log-user">User</label>
          <input id="log-user" type="search" value={user} onInput={(e) => setUser(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="log-outcome">Outcome</label>
          <select id="log-outcome" value={outcome} onChange={(e) => setOutcome(e.currentTarget.value)}>
            <option value="">Any</option>
            {auditOutcomes.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="log-method">Method</label>
          <select id="log-method" value={method} onChange={(e) => setMethod(e.currentTarget.value)}>
            <option value="">Any</option>
            {signInMethods.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="log-since">Since</label>
          <input id="log-since" type="datetime-local" value={since} onInput={(e) => setSince(e.currentTarget.value)} />
        </div>
        <button type="submit" class="primary">
          Apply filters
        </button>
        <button type="button" onClick={() => download('csv')} disabled={!events?.length}>
          Export CSV
        </button>
        <button type="button" onClick={() => download('json')} disabled={!events?.length}>
          Export JSON
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {events && (
        <table class="methods">
          <caption class="visually-hidden">Sign-ins, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Event</th>
              <th scope="col">User</th>
              <th scope="col">Outcome</th>
              <th scope="col">IP address</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {events.length === 0 && (
              <tr>
                <td colSpan={6} class="muted">
                  No events match.
                </td>
              </tr>
            )}
            {events.map((e) => (
              <tr key={e.id}>
                <td>{when(e.at)}</td>
                <td>{e.type}</td>
                <td>{e.username ?? '—'}</td>
                <td>
                  <span class={`badge ${e.outcome === 'success' ? 'success' : 'failure'}`}>{e.outcome}</span>
                </td>
                <td>{e.ip ?? '—'}</td>
                <td>
                  <button
                    type="button"
                    class="link"
                    aria-label={`Details of ${e.type} for ${e.username ?? 'nobody'} at ${when(e.at)}`}
                    onClick={() => setSelected(e)}
                  >
                    Details
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected && (
        <section class="panel" aria-labelledby="event-title">
          <h2 id="event-title">Event details</h2>
          <dl class="detail">
            {(
              [
                ['Date', when(selected.at)],
                ['Event', selected.type],
                ['Outcome', selected.outcome],
                ['Reason', selected.reason],
                ['User', selected.username],
                ['Method', selected.method],
                ['Application', selected.origin],
                ['Device', selected.deviceId],
                ['IP address', selected.ip],
                ['Location', selected.location],
                ['Browser', selected.userAgent],
                ['Detail', selected.detail ? JSON.stringify(selected.detail) : null],
              ] as const
            ).map(([label, value]) => (
              <>
                <dt key={`${label}-t`}>{label}</dt>
                <dd key={`${label}-d`}>{value ?? '—'}</dd>
              </>
            ))}
          </dl>
          <button type="button" onClick={() => setSelected(undefined)}>
            Close details
          </button>
        </section>
      )}
    </section>
  );
}

function csvCell(value: string | null): string {
  const text = value ?? '';
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
