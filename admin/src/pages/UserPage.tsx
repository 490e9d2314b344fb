import { useEffect, useRef, useState } from 'preact/hooks';
import { noContent } from '../../../shared/schemas/common';
import { type UserDeviceView, userDeviceList } from '../../../shared/schemas/devices';
import {
  type AuditEventView,
  groupList,
  groupMembers,
  signInLog,
  type UserLimitStatus,
  type UserView,
  userLimitStatus,
  userView,
} from '../../../shared/schemas/directory';
import {
  type TemporaryAccessPassIssued,
  type TemporaryAccessPassView,
  temporaryAccessPassIssued,
  temporaryAccessPassList,
} from '../../../shared/schemas/enrollment';
import { type AuthenticatorEnrollment, authenticatorEnrollment } from '../../../shared/schemas/hostedPages';
import { type PolicyDecision, policyDecision } from '../../../shared/schemas/policy';
import { adminApi, enc, when } from '../api';
import { DataTable, SecretField, StatusLine, useAction } from '../components';

const pushStates: Record<string, string> = {
  subscribed: 'Push reaches it',
  unreachable: 'Push does not reach it',
  none: 'No push',
};

/**
 * One user: groups, methods (phones with push and verification codes, registered browsers), passes,
 * recent sign-ins, risk and limits; issue and revoke passes, the enrollment QR code, remove a device
 * ("lost phone"), disable or enable, clear risk and reset limits, delete.
 */
export function UserPage({ username }: { username: string }) {
  const base = `/users/${enc(username)}`;
  const [user, setUser] = useState<UserView | undefined>();
  const [devices, setDevices] = useState<UserDeviceView[]>([]);
  const [passes, setPasses] = useState<TemporaryAccessPassView[]>([]);
  const [groups, setGroups] = useState<string[] | undefined>();
  const [events, setEvents] = useState<AuditEventView[]>([]);
  const [limits, setLimits] = useState<UserLimitStatus | undefined>();
  const [decision, setDecision] = useState<PolicyDecision | undefined>();
  const [pass, setPass] = useState<TemporaryAccessPassIssued | undefined>();
  const [enrollment, setEnrollment] = useState<AuthenticatorEnrollment | undefined>();
  /** Once deleted, there is nothing to reload. */
  const deleted = useRef(false);

  const load = async () => {
    try {
      const [u, d] = await Promise.all([adminApi('GET', base, userView), adminApi('GET', `${base}/devices`, userDeviceList)]);
      setUser(u);
      setDevices(d.devices);
    } catch (e) {
      setUser(undefined);
      throw e;
    }
    const quiet = () => undefined;
    adminApi('GET', `${base}/policy`, policyDecision).then(setDecision, quiet);
    adminApi('GET', `${base}/limits`, userLimitStatus).then(setLimits, quiet);
    adminApi('GET', `${base}/temporary-access-passes`, temporaryAccessPassList).then((a) => setPasses(a.passes), quiet);
    adminApi('GET', `/sign-ins?user=${enc(username)}&limit=10`, signInLog).then((a) => setEvents(a.signIns), quiet);
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
  const { status, setStatus, act } = useAction(() => (deleted.current ? undefined : load()));
  useEffect(() => {
    deleted.current = false;
    setPass(undefined);
    setEnrollment(undefined);
    setStatus(undefined);
    load().catch((e) => act(() => Promise.reject(e)));
  }, [username]);

  const issuePass = () =>
    act(async () => {
      const issued = await adminApi('POST', `${base}/temporary-access-pass`, temporaryAccessPassIssued, {});
      setPass(issued);
      setEnrollment(undefined);
      return 'Temporary Access Pass issued. It is shown only now.';
    });
  const showEnrollment = () =>
    act(async () => {
      setEnrollment(await adminApi('POST', `${base}/enrollment-link`, authenticatorEnrollment));
      return 'Enrollment QR code made. It works once.';
    });
  const revokePasses = () =>
    act(async () => {
      await adminApi('DELETE', `${base}/temporary-access-pass`, noContent);
      setPass(undefined);
      return 'Every Temporary Access Pass of this user is revoked.';
    });
  const revokePass = (p: TemporaryAccessPassView) =>
    act(async () => {
      await adminApi('DELETE', `${base}/temporary-access-passes/${enc(p.id)}`, noContent);
      if (pass?.id === p.id) setPass(undefined);
      return `The pass issued ${when(p.createdAt)} is revoked.`;
    });
  /** "Lost phone": the device's registrations go and the user's sign-ins end. */
  const removeDevice = (device: UserDeviceView) => {
    if (!confirm(`Remove ${device.name}? It can no longer sign ${username} in, and ${username}'s sessions end.`)) return;
    void act(async () => {
      await adminApi('DELETE', `${base}/devices/${enc(device.id)}`, noContent);
      return `${device.name} is removed.`;
    });
  };
  const setDisabled = (disable: boolean) => {
    if (disable && !confirm(`Disable ${username}? No sign-in by any method, and every session ends.`)) return;
    void act(async () => {
      await adminApi('POST', `${base}/${disable ? 'disable' : 'enable'}`, userView);
      return `${username} is ${disable ? 'disabled' : 'enabled'}.`;
    });
  };
  const clearRisk = () =>
    act(async () => {
      await adminApi('POST', `${base}/clear-risk`, userView);
      return `${username} is no longer at risk; reported sources reach them again.`;
    });
  const resetLimits = () =>
    act(async () => {
      await adminApi('POST', `${base}/reset-limits`, userLimitStatus);
      return `The limits of ${username} start over.`;
    });
  const remove = () => {
    if (!confirm(`Delete ${username}? The account, its devices' registrations and its sessions go. This cannot be undone.`)) return;
    void act(async () => {
      await adminApi('DELETE', base, noContent);
      deleted.current = true;
      setUser(undefined);
      return `${username} is deleted.`;
    });
  };

  const phones = devices.filter((d) => d.kind === 'phone');
  const browsers = devices.filter((d) => d.kind === 'browser');
  const usable = passes.filter((p) => p.state === 'usable');

  return (
    <section aria-labelledby="user-title">
      <p class="crumbs">
        <a href="#/users">Users</a> › {username}
      </p>
      <h1 id="user-title">{user?.displayName ?? username}</h1>
      <StatusLine status={status} />
      {user && (
        <>
          <dl class="detail">
            <dt>Username</dt>
            <dd>{user.username}</dd>
            <dt>Type</dt>
            <dd>{user.kind === 'guest' ? 'Guest' : 'Member'}</dd>
            <dt>State</dt>
            <dd>
              {user.disabled ? `Disabled since ${when(user.disabledAt)}` : 'Enabled'}
              {user.blocked ? ` · At risk since ${when(user.blockedAt)} (reported a sign-in as not theirs)` : ''}
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
            <button type="button" onClick={revokePasses} disabled={usable.length === 0 && !pass}>
              Revoke passes
            </button>
            <button type="button" onClick={showEnrollment}>
              Enrollment QR code
            </button>
            <button type="button" onClick={() => setDisabled(!user.disabled)}>
              {user.disabled ? 'Enable' : 'Disable'}
            </button>
            {user.blocked && (
              <button type="button" onClick={clearRisk}>
                Unblock (clear risk)
              </button>
            )}
            <button type="button" class="danger" onClick={remove}>
              Delete user
            </button>
          </div>
          {pass && (
            <section class="panel" aria-label="New Temporary Access Pass">
              <p>Give this pass to the user; it is not shown again.</p>
              <SecretField label="Temporary Access Pass" copyName="pass" value={pass.temporaryAccessPass} />
              <p class="muted small">
                Valid until {when(pass.expiresAt)}, {pass.oneTime ? 'one use' : 'several uses'}. The user enters it in the Nod app under
                "Add work or school account".
              </p>
            </section>
          )}
          {enrollment && (
            <section class="panel" aria-label="Enrollment QR code">
              <p>Scan with the Nod app on the user's phone, or open the link there. It works once, until {when(enrollment.expiresAt)}.</p>
              <img class="qr" src={enrollment.qrCode} alt={`QR code of the enrollment link for ${username}`} width={180} height={180} />
              <SecretField label="Enrollment link" copyName="enrollment link" value={enrollment.link} />
            </section>
          )}

          <h2>Phones</h2>
          <DataTable
            caption="Phones"
            columns={['Phone', 'Methods', 'Delivery', 'Added', 'Last seen', '']}
            empty="No phone is registered."
            rows={phones.map((d) => <DeviceRow key={d.id} device={d} onRemove={removeDevice} />)}
          />

          <h2>Registered browsers</h2>
          <DataTable
            caption="Registered browsers"
            columns={['Browser', 'Added', 'Last seen', '']}
            empty="No browser is registered."
            rows={browsers.map((d) => (
              <tr key={d.id}>
                <td>{d.name}</td>
                <td>{when(d.createdAt)}</td>
                <td>{when(d.lastSeenAt)}</td>
                <td>
                  <button type="button" class="danger" aria-label={`Remove device ${d.name}`} onClick={() => removeDevice(d)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          />

          <h2>Temporary Access Passes</h2>
          {passes.length === 0 ? (
            <p class="muted">None issued.</p>
          ) : (
            <ul>
              {passes.map((p) => (
                <li key={p.id}>
                  Issued {when(p.createdAt)} · {p.state}
                  {p.state === 'usable' ? ` until ${when(p.expiresAt)}` : ''} · {p.oneTime ? 'one use' : 'several uses'}{' '}
                  {p.state === 'usable' && (
                    <button
                      type="button"
                      class="link"
                      aria-label={`Revoke the pass issued ${when(p.createdAt)}`}
                      onClick={() => revokePass(p)}
                    >
                      Revoke
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}

          <h2>Risk and limits</h2>
          {limits ? <LimitState limits={limits} onReset={resetLimits} /> : <p class="muted">—</p>}

          <h2>Recent sign-ins</h2>
          <ul>
            {events.length === 0 && <li class="muted">Nothing yet.</li>}
            {events.map((e) => (
              <li key={e.id}>
                {when(e.at)} · {e.type} <span class={`badge ${e.outcome === 'success' ? 'success' : 'failure'}`}>{e.outcome}</span>
                {e.method ? ` · ${e.method}` : ''}
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

function DeviceRow({ device: d, onRemove }: { device: UserDeviceView; onRemove: (d: UserDeviceView) => void }) {
  const lastReceipt = d.registrations.map((r) => r.lastReceiptAt).find((at) => at !== null) ?? null;
  return (
    <tr>
      <td>{d.name}</td>
      <td>{d.registrations.some((r) => r.phoneSignInEnabled) ? 'Phone sign-in, push, verification codes' : 'Push, verification codes'}</td>
      <td>
        {pushStates[d.pushState] ?? d.pushState}
        <br />
        <span class="muted small">Last receipt: {when(lastReceipt)}</span>
      </td>
      <td>{when(d.createdAt)}</td>
      <td>{when(d.lastSeenAt)}</td>
      <td>
        <button type="button" class="danger" aria-label={`Remove device ${d.name}`} onClick={() => onRemove(d)}>
          Remove
        </button>
      </td>
    </tr>
  );
}

function LimitState({ limits, onReset }: { limits: UserLimitStatus; onReset: () => void }) {
  const held = limits.failures.some((f) => f.locked || f.waitUntil) || limits.pushes.some((p) => p.coolDownUntil);
  return (
    <>
      <ul>
        <li>{limits.atRisk ? `At risk since ${when(limits.atRiskSince)}: pushes from unknown browsers are held.` : 'Not at risk.'}</li>
        {limits.failures.map((f) => (
          <li key={`${f.factor}-${f.lane}`}>
            {f.factor} ({f.lane}): {f.count} failures{f.locked ? ', locked' : ''}
            {f.waitUntil ? `, next try after ${when(f.waitUntil)}` : ''}
          </li>
        ))}
        {limits.pushes.map((p) => (
          <li key={p.lane}>
            Pushes ({p.lane}): {p.inWindow} in the window, {p.unanswered} unanswered in a row
            {p.coolDownUntil ? `, cooling down until ${when(p.coolDownUntil)}` : ''}
          </li>
        ))}
        {limits.blockedSources.map((s) => (
          <li key={s.source}>
            Reported source {s.source} blocked until {when(s.until)}
          </li>
        ))}
        {limits.reports.map((r) => (
          <li key={r.at}>
            Reported "No, it's not me" {when(r.at)}: {[r.application ?? r.origin, r.browser, r.location, r.ip].filter(Boolean).join(' · ')}
          </li>
        ))}
      </ul>
      <button type="button" onClick={onReset} disabled={!held && limits.failures.length === 0 && limits.pushes.length === 0}>
        Reset limits
      </button>
    </>
  );
}
