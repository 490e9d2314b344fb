import { useEffect, useState } from 'preact/hooks';
import { noContent } from '../../../shared/schemas/common';
import { type UserDeviceView, userDeviceList } from '../../../shared/schemas/devices';
import { type AuditEventView, groupList, signInLog, groupMembers, type UserView, userView } from '../../../shared/schemas/directory';
import { type TemporaryAccessPassIssued, temporaryAccessPassIssued } from '../../../shared/schemas/enrollment';
import { type PolicyDecision, policyDecision } from '../../../shared/schemas/policy';
import { adminApi, describeError, enc, when } from '../api';

/** One user: groups, devices, recent sign-ins and the policy's answer; passes, device removal (lost phone), unblocking. */
export function UserPage({ username }: { username: string }) {
  const base = `/users/${enc(username)}`;
  const [user, setUser] = useState<UserView | undefined>();
  const [devices, setDevices] = useState<UserDeviceView[]>([]);
  const [groups, setGroups] = useState<string[] | undefined>();
  const [events, setEvents] = useState<AuditEventView[]>([]);
  const [decision, setDecision] = useState<PolicyDecision | undefined>();
  const [pass, setPass] = useState<TemporaryAccessPassIssued | undefined>();
  const [status, setStatus] = useState<{ ok: boolean; text: string } | undefined>();

  const load = async () => {
    try {
      const [u, d] = await Promise.all([adminApi('GET', base, userView), adminApi('GET', `${base}/devices`, userDeviceList)]);
      setUser(u);
      setDevices(d.devices);
    } catch (e) {
      setStatus({ ok: false, text: describeError(e) });
      return;
    }
    adminApi('GET', `${base}/policy`, policyDecision).then(setDecision, () => undefined);
    adminApi('GET', `/sign-ins?user=${enc(username)}&limit=10`, signInLog).then(
      (a) => setEvents(a.signIns),
      () => undefined,
    );
    adminApi('GET', '/groups', groupList)
      .then(async ({ groups: all }) => {
        const member = await Promise.all(
          all.map(async (g) => {
            const { members } = await adminApi('GET', `/groups/${enc(g.name)}/members`, groupMembers);
            return members.some((m) => m.username === username) ? [g.name] : [];
          }),
        );
        setGroups(member.flat());
      })
      .catch(() => setGroups(undefined));
  };
  useEffect(() => {
    setPass(undefined);
    setStatus(undefined);
    void load();
  }, [username]);

  const act = async (work: () => Promise<string>) => {
    setStatus(undefined);
    try {
      setStatus({ ok: true, text: await work() });
      await load();
    } catch (e) {
      setStatus({ ok: false, text: describeError(e) });
    }
  };

  const issuePass = () =>
    act(async () => {
      const issued = await adminApi('POST', `${base}/temporary-access-pass`, temporaryAccessPassIssued, {});
      setPass(issued);
      return 'Temporary Access Pass issued. It is shown only now.';
    });
  const revokePasses = () =>
    act(async () => {
      await adminApi('DELETE', `${base}/temporary-access-pass`, noContent);
      setPass(undefined);
      return 'Every Temporary Access Pass of this user is revoked.';
    });
  /** "Lost phone": the device's registrations go and the user's sign-ins end. */
  const removeDevice = (device: UserDeviceView) => {
    if (!confirm(`Remove ${device.name}? It can no longer sign ${username} in, and ${username}'s sessions end.`)) return;
    void act(async () => {
      await adminApi('DELETE', `${base}/devices/${enc(device.id)}`, noContent);
      return `${device.name} is removed.`;
    });
  };
  const unblock = () =>
    act(async () => {
      await adminApi('POST', `${base}/unblock`, userView);
      return `${username} is unblocked.`;
    });

  return (
    <section aria-labelledby="user-title">
      <p class="crumbs">
        <a href="#/users">Users</a> › {username}
      </p>
      <h1 id="user-title">{user?.displayName ?? username}</h1>
      <div role={status?.ok === false ? 'alert' : 'status'} class={status ? (status.ok ? 'ok' : 'error') : undefined}>
        {status?.text}
      </div>
      {user && (
        <>
          <dl class="detail">
            <dt>Username</dt>
            <dd>{user.username}</dd>
            <dt>Type</dt>
            <dd>{user.kind === 'guest' ? 'Guest' : 'Member'}</dd>
            <dt>State</dt>
            <dd>
              {user.disabled
                ? `Disabled since ${when(user.disabledAt)}`
                : user.blocked
                  ? `Blocked since ${when(user.blockedAt)} (reported a sign-in as not theirs)`
                  : 'Active'}
            </dd>
            <dt>Groups</dt>
            <dd>{groups === undefined ? '—' : groups.length === 0 ? 'None' : groups.join(', ')}</dd>
            <dt>Phone sign-in</dt>
            <dd>{decision ? `${decision.allowed ? `Allowed (${decision.mode})` : 'Not allowed'} — ${decision.reason}` : '—'}</dd>
          </dl>
          <div class="toolbar">
            <button type="button" class="primary" onClick={issuePass}>
              Issue Temporary Access Pass
            </button>
            <button type="button" onClick={revokePasses}>
              Revoke passes
            </button>
            {user.blocked && (
              <button type="button" onClick={unblock}>
                Unblock
              </button>
            )}
          </div>
          {pass && <PassPanel pass={pass} />}

          <h2>Devices</h2>
          <table class="methods">
            <caption class="visually-hidden">Devices</caption>
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Methods</th>
                <th scope="col">Added</th>
                <th scope="col">Last seen</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {devices.length === 0 && (
                <tr>
                  <td colSpan={5} class="muted">
                    No device is registered.
                  </td>
                </tr>
              )}
              {devices.map((d) => (
                <tr key={d.id}>
                  <td>
                    {d.name} <span class="muted small">({d.kind})</span>
                  </td>
                  <td>
                    {d.kind === 'browser'
                      ? 'Registered browser'
                      : d.registrations.some((r) => r.phoneSignInEnabled)
                        ? 'Phone sign-in, push, verification codes'
                        : 'Push, verification codes'}
                  </td>
                  <td>{when(d.createdAt)}</td>
                  <td>{when(d.lastSeenAt)}</td>
                  <td>
                    <button type="button" class="danger" aria-label={`Remove device ${d.name}`} onClick={() => removeDevice(d)}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>

          <h2>Recent sign-ins</h2>
          <ul>
            {events.length === 0 && <li class="muted">Nothing yet.</li>}
            {events.map((e) => (
              <li key={e.id}>
                {when(e.at)} · {e.type} <span class={`badge ${e.outcome === 'success' ? 'success' : 'failure'}`}>{e.outcome}</span>
                {e.reason ? ` · ${e.reason}` : ''}
              </li>
            ))}
          </ul>
          <p>
            <a href={`#/logs?user=${enc(username)}`}>All sign-ins of {username}</a>
          </p>
        </>
      )}
    </section>
  );
}

function PassPanel({ pass }: { pass: TemporaryAccessPassIssued }) {
  const [copied, setCopied] = useState(false);
  return (
    <section class="panel" aria-label="New Temporary Access Pass">
      <p>Give this pass to the user; it is not shown again.</p>
      <p>
        <input class="secret" type="text" readOnly aria-label="Temporary Access Pass" value={pass.temporaryAccessPass} />
        <button
          type="button"
          onClick={() =>
            navigator.clipboard.writeText(pass.temporaryAccessPass).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          Copy pass
        </button>
      </p>
      <p class="muted small" role="status">
        {copied ? 'Copied. ' : ''}Valid until {when(pass.expiresAt)}, {pass.oneTime ? 'one use' : 'several uses'}. The user enters it in the
        Nod app under "Add work or school account".
      </p>
    </section>
  );
}
