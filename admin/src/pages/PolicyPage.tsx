import { useEffect, useState } from 'preact/hooks';
import { modes } from '../../../shared/constants';
import { groupList, userList } from '../../../shared/schemas/directory';
import {
  type AuthenticatorPolicyInput,
  type FatigueLimits,
  fatigueLimits,
  type PolicyDecision,
  policyDecision,
  policyView,
} from '../../../shared/schemas/policy';
import { RelayProblem } from '../../../shared/relay/relayErrors';
import { adminApi, describeError, enc } from '../api';

type Mode = (typeof modes)[number];
type Kind = 'group' | 'user';
interface Row {
  kind: Kind;
  name: string;
  mode: Mode;
}
interface Exclusion {
  kind: Kind;
  name: string;
}

const modeNames: Record<Mode, string> = { any: 'Any', passwordless: 'Passwordless', push: 'Push' };
const limitFields = [
  ['pushesPerUser', 'Pushes per user per window'],
  ['pushWindowMinutes', 'Push window (minutes)'],
  ['unansweredBeforeBackOff', 'Unanswered pushes before back-off'],
  ['pushBackOffSeconds', 'First push back-off (seconds)'],
  ['pushesPerSource', 'Pushes one source may cause per window'],
  ['failuresBeforeBackOff', 'Wrong codes or passwords before back-off'],
  ['failureBackOffSeconds', 'First failure back-off (seconds)'],
  ['lockAfterFailures', 'Failures that lock the method (at most 100)'],
  ['failuresPerSource', 'Failures one source may make per window'],
  ['sourceWindowMinutes', 'Source window (minutes)'],
  ['reportBlockMinutes', 'A reported source is blocked for (minutes)'],
  ['requestLifetimeSeconds', 'Sign-in request lifetime (seconds)'],
] as const;
type Limits = FatigueLimits;

/** Authentication methods → Policies → Authenticator: who may use phone sign-in, in which mode, and what the phone shows. */
export function PolicyPage() {
  const [loaded, setLoaded] = useState(false);
  const [enabled, setEnabled] = useState(false);
  const [target, setTarget] = useState<'all' | 'select'>('all');
  const [allMode, setAllMode] = useState<Mode>('any');
  const [rows, setRows] = useState<Row[]>([]);
  const [exclusions, setExclusions] = useState<Exclusion[]>([]);
  const [showApplicationName, setShowApplicationName] = useState(true);
  const [showLocation, setShowLocation] = useState(true);
  const [requireRegisteredBrowser, setRequireRegisteredBrowser] = useState(false);
  const [limits, setLimits] = useState<Limits | undefined>();
  const [names, setNames] = useState<{ groups: string[]; users: string[] }>({ groups: [], users: [] });
  const [status, setStatus] = useState<{ ok: boolean; text: string } | undefined>();
  const [saving, setSaving] = useState(false);

  const apply = (policy: AuthenticatorPolicyInput & { limits?: Limits }) => {
    setEnabled(policy.enabled);
    const all = policy.includeTargets?.find((t) => t.kind === 'all_users');
    setTarget(all || (policy.includeTargets ?? []).length === 0 ? 'all' : 'select');
    setAllMode(all?.mode ?? 'any');
    setRows(
      (policy.includeTargets ?? []).flatMap((t) => (t.kind === 'all_users' ? [] : [{ kind: t.kind, name: t.name, mode: t.mode ?? 'any' }])),
    );
    setExclusions((policy.excludeTargets ?? []).map((t) => ({ kind: t.kind, name: t.name })));
    setShowApplicationName(policy.showApplicationName ?? true);
    setShowLocation(policy.showLocation ?? true);
    setRequireRegisteredBrowser(policy.requireRegisteredBrowser ?? false);
    if (policy.limits) setLimits(policy.limits);
  };

  useEffect(() => {
    adminApi('GET', '/policy', policyView)
      .then(apply)
      .catch((error) => {
        if (!(error instanceof RelayProblem && error.status === 404)) setStatus({ ok: false, text: describeError(error) });
        setLimits(fatigueLimits.parse({}));
      })
      .finally(() => setLoaded(true));
    Promise.all([adminApi('GET', '/groups', groupList), adminApi('GET', '/users', userList)])
      .then(([g, u]) => setNames({ groups: g.groups.map((x) => x.name), users: u.users.map((x) => x.username) }))
      .catch(() => undefined);
  }, []);

  const save = async (event: Event) => {
    event.preventDefault();
    setSaving(true);
    setStatus(undefined);
    try {
      const saved = await adminApi('PUT', '/policy', policyView, {
        enabled,
        includeTargets: target === 'all' ? [{ kind: 'all_users', mode: allMode }] : rows,
        excludeTargets: exclusions,
        showApplicationName,
        showLocation,
        requireRegisteredBrowser,
        limits,
      });
      apply(saved);
      setStatus({ ok: true, text: 'Saved. The policy applies to the next sign-in.' });
    } catch (error) {
      setStatus({ ok: false, text: `Not saved: ${describeError(error)}` });
    } finally {
      setSaving(false);
    }
  };

  if (!loaded) return <p aria-busy="true">Loading the policy…</p>;
  return (
    <form onSubmit={save} aria-labelledby="policy-title">
      <p class="crumbs">Authentication methods › Policies</p>
      <h1 id="policy-title">Authenticator settings</h1>
      <label class="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
        Enable
      </label>

      <fieldset>
        <legend>Include</legend>
        <label class="check">
          <input type="radio" name="target" checked={target === 'all'} onChange={() => setTarget('all')} />
          All users
        </label>
        <label class="check">
          <input type="radio" name="target" checked={target === 'select'} onChange={() => setTarget('select')} />
          Select users and groups
        </label>
        {target === 'all' ? (
          <ModeSelect label="Authentication mode for All users" value={allMode} onChange={setAllMode} />
        ) : (
          <TargetRows
            title="Included users and groups"
            rows={rows}
            names={names}
            onRemove={(i) => setRows(rows.filter((_, j) => j !== i))}
            onMode={(i, mode) => setRows(rows.map((r, j) => (j === i ? { ...r, mode } : r)))}
            onAdd={(kind, name) => setRows([...rows, { kind, name, mode: 'any' }])}
            addLabel="Add to the policy"
          />
        )}
      </fieldset>

      <fieldset>
        <legend>Exclude</legend>
        <p class="muted small">Exclusions win over every include.</p>
        <TargetRows
          title="Excluded users and groups"
          rows={exclusions}
          names={names}
          onRemove={(i) => setExclusions(exclusions.filter((_, j) => j !== i))}
          onAdd={(kind, name) => setExclusions([...exclusions, { kind, name }])}
          addLabel="Add exclusion"
        />
      </fieldset>

      <fieldset>
        <legend>Context settings</legend>
        <label class="check">
          <input type="checkbox" checked={showApplicationName} onChange={(e) => setShowApplicationName(e.currentTarget.checked)} />
          Show application name in notifications
        </label>
        <label class="check">
          <input type="checkbox" checked={showLocation} onChange={(e) => setShowLocation(e.currentTarget.checked)} />
          Show geographic location in notifications
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={requireRegisteredBrowser}
            onChange={(e) => setRequireRegisteredBrowser(e.currentTarget.checked)}
          />
          Require a registered browser
        </label>
      </fieldset>

      {limits && (
        <fieldset>
          <legend>Abuse limits</legend>
          <div class="toolbar">
            {limitFields.map(([key, label]) => (
              <div class="field" key={key}>
                <label for={`limit-${key}`}>{label}</label>
                <input
                  id={`limit-${key}`}
                  type="number"
                  min={1}
                  value={limits[key]}
                  onInput={(e) => setLimits({ ...limits, [key]: Number(e.currentTarget.value) })}
                />
              </div>
            ))}
          </div>
        </fieldset>
      )}

      <div role={status?.ok === false ? 'alert' : 'status'} class={status ? (status.ok ? 'ok' : 'error') : undefined}>
        {status?.text}
      </div>
      <div class="actions">
        <button class="primary" type="submit" disabled={saving}>
          Save
        </button>
      </div>
      <WhyCheck />
    </form>
  );
}

function ModeSelect({ label, value, onChange }: { label: string; value: Mode; onChange: (mode: Mode) => void }) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.currentTarget.value as Mode)}>
      {modes.map((m) => (
        <option key={m} value={m}>
          {modeNames[m]}
        </option>
      ))}
    </select>
  );
}

function TargetRows<R extends Exclusion & { mode?: Mode }>(props: {
  title: string;
  rows: R[];
  names: { groups: string[]; users: string[] };
  onRemove: (index: number) => void;
  onMode?: (index: number, mode: Mode) => void;
  onAdd: (kind: Kind, name: string) => void;
  addLabel: string;
}) {
  const [kind, setKind] = useState<Kind>('group');
  const [name, setName] = useState('');
  const id = props.addLabel.replace(/\W+/g, '-').toLowerCase();
  const add = () => {
    const trimmed = name.trim();
    if (!trimmed) return;
    props.onAdd(kind, trimmed);
    setName('');
  };
  return (
    <>
      <table class="methods">
        <caption class="visually-hidden">{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            {props.onMode && <th scope="col">Authentication mode</th>}
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.rows.length === 0 && (
            <tr>
              <td colSpan={4} class="muted">
                None.
              </td>
            </tr>
          )}
          {props.rows.map((row, i) => (
            <tr key={`${row.kind}:${row.name}`}>
              <td>{row.name}</td>
              <td>{row.kind === 'group' ? 'Group' : 'User'}</td>
              {props.onMode && (
                <td>
                  <ModeSelect
                    label={`Authentication mode for ${row.name}`}
                    value={row.mode ?? 'any'}
                    onChange={(mode) => props.onMode?.(i, mode)}
                  />
                </td>
              )}
              <td>
                <button
                  type="button"
                  class="link"
                  aria-label={`Remove ${row.name} from ${props.title.toLowerCase()}`}
                  onClick={() => props.onRemove(i)}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="toolbar">
        <div class="field">
          <label for={`${id}-kind`}>Type</label>
          <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind)}>
            <option value="group">Group</option>
            <option value="user">User</option>
          </select>
        </div>
        <div class="field">
          <label for={`${id}-name`}>{kind === 'group' ? 'Group name' : 'Username'}</label>
          <input
            id={`${id}-name`}
            type="search"
            list={`${id}-names`}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                add();
              }
            }}
          />
          <datalist id={`${id}-names`}>
            {(kind === 'group' ? props.names.groups : props.names.users).map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
        </div>
        <button type="button" onClick={add}>
          {props.addLabel}
        </button>
      </div>
    </>
  );
}

/** "Why can't this user…?": one user's effective mode and the target that decided it. */
function WhyCheck() {
  const [username, setUsername] = useState('');
  const [answer, setAnswer] = useState<PolicyDecision | undefined>();
  const [error, setError] = useState<string | undefined>();
  const check = async () => {
    setAnswer(undefined);
    setError(undefined);
    try {
      setAnswer(await adminApi('GET', `/users/${enc(username.trim())}/policy`, policyDecision));
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <section aria-labelledby="why-title">
      <h2 id="why-title">Why can't this user…?</h2>
      <div class="toolbar">
        <div class="field">
          <label for="why-user">Username to check</label>
          <input id="why-user" type="search" value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </div>
        <button type="button" onClick={check} disabled={!username.trim()}>
          Check
        </button>
      </div>
      <div role="status">
        {answer && (
          <p>
            {answer.allowed ? `Allowed, in ${modeNames[answer.mode ?? 'any']} mode.` : 'Not allowed.'} {answer.reason}
          </p>
        )}
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
