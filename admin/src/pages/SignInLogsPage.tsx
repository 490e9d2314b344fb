import { useEffect, useState } from 'preact/hooks';
import { type AuditEventView, auditOutcomes, signInLog, signInMethods } from '../../../shared/schemas/directory';
import { adminApi, adminDownload, describeError, when } from '../api';
import { DataTable } from '../components';
import { SignInChart } from './SignInChart';

/**
 * Sign-in logs: every sign-in attempt of the tenant (the admin API's sign-in log), filtered by user,
 * outcome, method and time range, charted over time, one in detail, exported by the relay as CSV or JSON.
 */
export function SignInLogsPage() {
  const initialUser = new URLSearchParams(location.hash.split('?')[1] ?? '').get('user') ?? '';
  const [user, setUser] = useState(initialUser);
  const [outcome, setOutcome] = useState('');
  const [method, setMethod] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [events, setEvents] = useState<AuditEventView[] | undefined>();
  const [selected, setSelected] = useState<AuditEventView | undefined>();
  const [error, setError] = useState<string | undefined>();

  const filters = () => {
    const query = new URLSearchParams();
    if (user.trim()) query.set('user', user.trim());
    if (outcome) query.set('outcome', outcome);
    if (method) query.set('method', method);
    if (since) query.set('from', new Date(since).toISOString());
    if (until) query.set('to', new Date(until).toISOString());
    return query;
  };
  const load = async () => {
    setError(undefined);
    const query = filters();
    query.set('limit', '500');
    try {
      setEvents((await adminApi('GET', `/sign-ins?${query}`, signInLog)).signIns);
      setSelected(undefined);
    } catch (e) {
      setError(describeError(e));
    }
  };
  useEffect(() => void load(), []);

  const download = (format: 'csv' | 'json') => {
    const query = filters();
    query.set('format', format);
    adminDownload(`/sign-ins/export?${query}`, `sign-in-log.${format}`).catch((e) => setError(describeError(e)));
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
        <div class="field">
          <label for="log-until">Until</label>
          <input id="log-until" type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
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
      {events && <SignInChart events={events} />}
      {events && (
        <DataTable
          caption="Sign-ins, newest first"
          columns={['Date', 'Event', 'User', 'Outcome', 'Method', 'Application', 'IP address', '']}
          empty="No events match."
          rows={events.map((e) => (
            <tr key={e.id}>
              <td>{when(e.at)}</td>
              <td>{e.type}</td>
              <td>{e.username ?? '—'}</td>
              <td>
                <span class={`badge ${e.outcome === 'success' ? 'success' : 'failure'}`}>{e.outcome}</span>
              </td>
              <td>{e.method ?? '—'}</td>
              <td>{applicationOf(e) ?? '—'}</td>
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
        />
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
                ['Application', applicationOf(selected)],
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

/** The application a sign-in was for: its name where the record has it, else the site's origin. */
function applicationOf(e: AuditEventView): string | null {
  const name = e.detail?.applicationName ?? e.detail?.application;
  return typeof name === 'string' ? name : e.origin;
}
