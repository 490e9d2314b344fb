import { useEffect, useState } from 'preact/hooks';
import { type AdminChangeView, adminChanges } from '../../../shared/schemas/adminReports';
import { adminApi, describeError, when } from '../api';
import { DataTable, StatusLine, useAction } from '../components';

const roles: Record<string, string> = {
  global_administrator: 'Global Administrator',
  authentication_policy_administrator: 'Authentication Policy Administrator',
  helpdesk_administrator: 'Helpdesk Administrator',
};

/** What changed, in words, from the record's type and detail. */
function describe(c: AdminChangeView): string {
  const d = c.detail ?? {};
  const s = (key: string) => (typeof d[key] === 'string' ? (d[key] as string) : '');
  switch (c.type) {
    case 'policy.saved':
      return 'Saved the Authenticator policy';
    case 'temporary_access_pass.issued':
      return `Issued a Temporary Access Pass to ${c.username} (pass ${s('passId')})`;
    case 'temporary_access_pass.revoked':
      return s('passId') === 'all' ? `Revoked every pass of ${c.username}` : `Revoked pass ${s('passId')} of ${c.username}`;
    case 'device.removed':
      return `Removed device ${s('deviceId')} of ${c.username}`;
    case 'registration.removed':
      return `Removed the Authenticator app method of ${c.username ?? 'a user'}`;
    case 'enrollment_code.created':
      return `Made an enrollment QR code for ${c.username}`;
    case 'group.created':
      return `Created group ${s('group')}`;
    case 'group.deleted':
      return `Deleted group ${s('group')}`;
    case 'group.renamed':
      return `Renamed group ${s('from')} to ${s('to')}`;
    case 'group.member_added':
      return `Added ${c.username} to ${s('group')}`;
    case 'group.member_removed':
      return `Removed ${c.username} from ${s('group')}`;
    case 'client.created':
    case 'client.updated':
    case 'client.deleted':
      return `${c.type === 'client.created' ? 'Registered' : c.type === 'client.updated' ? 'Edited' : 'Deleted'} application ${s('clientId')}`;
    case 'user.risk_cleared':
      return `Cleared the risk of ${c.username}`;
    case 'tenant.domain_added':
      return `Added the domain name ${s('domain')}`;
    case 'tenant.domain_removed':
      return `Removed the domain name ${s('domain')}`;
    case 'limits.reset':
      return `Reset the limits of ${c.username}`;
    default:
      return `${c.type.replace(/[._]/g, ' ')}${c.username ? `: ${c.username}` : ''}`;
  }
}

/** Audit log: the admin changes (policy, passes, devices, users, groups, applications), who made each, newest first. */
export function AuditLogPage() {
  const [changes, setChanges] = useState<AdminChangeView[] | undefined>();
  const load = async () => setChanges((await adminApi('GET', '/changes?limit=300', adminChanges)).changes);
  const { status, setStatus } = useAction(load);
  useEffect(() => void load().catch((e) => setStatus({ ok: false, text: describeError(e) })), []);
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <StatusLine status={status} />
      {changes && (
        <DataTable
          caption="Admin changes, newest first"
          columns={['Date', 'Change', 'By']}
          empty="No admin change yet."
          rows={changes.map((c) => (
            <tr key={c.id}>
              <td>{when(c.at)}</td>
              <td>{describe(c)}</td>
              <td>
                {c.actor ?? 'unknown'}
                {c.actorRole && <span class="muted small"> ({roles[c.actorRole] ?? c.actorRole})</span>}
              </td>
            </tr>
          ))}
        />
      )}
    </section>
  );
}
