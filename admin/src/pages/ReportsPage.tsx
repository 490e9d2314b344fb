import { useEffect, useState } from 'preact/hooks';
import { securityReports } from '../../../shared/schemas/adminReports';
import type { AuditEventView } from '../../../shared/schemas/directory';
import { adminApi, describeError, enc, when } from '../api';
import { StatusLine, useAction } from '../components';
import { userView } from '../../../shared/schemas/directory';

/** What each kind of report is, in words. */
function describe(e: AuditEventView): string {
  if (e.type === 'fraud_report') return `"No, it's not me": ${e.username ?? 'a user'} reported a sign-in request`;
  if (e.type === 'phishing_blocked')
    return `Blocked phishing attempt: a sign-in on ${e.origin ?? 'a site'}, which is not this organization's`;
  if (e.outcome === 'wrong_number') return 'Blocked phishing attempt: the wrong number was entered on the phone';
  return `Abuse limit: ${e.reason ?? e.outcome}`;
}

const text = (value: unknown) => (typeof value === 'string' ? value : null);

/**
 * Reports: "No, it's not me" reports, phishing attempts that number matching stopped, and abuse
 * limits that started holding, newest first, with the evidence; the user's risk is cleared here.
 */
export function ReportsPage() {
  const [reports, setReports] = useState<AuditEventView[] | undefined>();
  const load = async () => setReports((await adminApi('GET', '/reports', securityReports)).reports);
  const { status, setStatus, act } = useAction(load);
  useEffect(() => void load().catch((e) => setStatus({ ok: false, text: describeError(e) })), []);

  const clearRisk = (username: string) =>
    act(async () => {
      await adminApi('POST', `/users/${enc(username)}/clear-risk`, userView);
      return `${username} is no longer at risk.`;
    });

  return (
    <section aria-labelledby="reports-title">
      <h1 id="reports-title">Reports</h1>
      <p class="muted">
        Sign-ins that users reported as not theirs, phishing attempts stopped by origin binding or number matching, and abuse limits that
        started holding. Newest first.
      </p>
      <StatusLine status={status} />
      {reports && reports.length === 0 && <p>Nothing to report.</p>}
      {reports?.map((e) => (
        <article class="panel" key={e.id} aria-labelledby={`report-${e.id}`}>
          <h2 id={`report-${e.id}`}>{describe(e)}</h2>
          <dl class="detail">
            <dt>When</dt>
            <dd>{when(e.at)}</dd>
            <dt>User</dt>
            <dd>{e.username ? <a href={`#/users/${enc(e.username)}`}>{e.username}</a> : '—'}</dd>
            <dt>Application</dt>
            <dd>{text(e.detail?.application) ?? e.origin ?? '—'}</dd>
            <dt>Method</dt>
            <dd>{e.method ?? '—'}</dd>
            <dt>IP address</dt>
            <dd>{e.ip ?? '—'}</dd>
            <dt>Location</dt>
            <dd>{text(e.detail?.location) ?? '—'}</dd>
            <dt>Browser</dt>
            <dd>{text(e.detail?.browser) ?? e.userAgent ?? '—'}</dd>
            {Array.isArray(e.detail?.blockedSources) && (
              <>
                <dt>Blocked sources</dt>
                <dd>{(e.detail.blockedSources as unknown[]).map(String).join(', ')}</dd>
              </>
            )}
          </dl>
          {e.username && (
            <div class="actions">
              {e.type === 'fraud_report' && (
                <button
                  type="button"
                  onClick={() => clearRisk(e.username!)}
                  aria-label={`Clear the risk of ${e.username} (reported ${when(e.at)})`}
                >
                  Clear risk
                </button>
              )}
              <a class="button" href={`#/users/${enc(e.username)}`} aria-label={`Devices and limits of ${e.username}`}>
                Devices and limits
              </a>
            </div>
          )}
        </article>
      ))}
    </section>
  );
}
