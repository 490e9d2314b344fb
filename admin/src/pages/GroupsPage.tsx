import { useEffect, useState } from 'preact/hooks';
import { noContent } from '../../../shared/schemas/common';
import { type GroupView, groupList, groupMembers, groupView, type UserView } from '../../../shared/schemas/directory';
import { adminApi, describeError, enc, when } from '../api';
import { DataTable } from '../components';

/** Groups: create, delete, and one group's members. */
export function GroupsPage({ selected }: { selected?: string }) {
  const [groups, setGroups] = useState<GroupView[] | undefined>();
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | undefined>();
  const load = () =>
    adminApi('GET', '/groups', groupList).then(
      (answer) => setGroups(answer.groups),
      (e) => setStatus({ ok: false, text: describeError(e) }),
    );
  useEffect(() => void load(), []);
  const act = async (work: () => Promise<string>) => {
    setStatus(undefined);
    try {
      setStatus({ ok: true, text: await work() });
      await load();
    } catch (e) {
      setStatus({ ok: false, text: describeError(e) });
    }
  };
  const create = (event: Event) => {
    event.preventDefault();
    void act(async () => {
      const group = await adminApi('POST', '/groups', groupView, { name: name.trim(), displayName: displayName.trim() || undefined });
      setName('');
      setDisplayName('');
      return `Group ${group.name} is created.`;
    });
  };
  const remove = (group: GroupView) => {
    if (!confirm(`Delete the group ${group.name}? Its members stay; the group goes.`)) return;
    void act(async () => {
      await adminApi('DELETE', `/groups/${enc(group.name)}`, noContent);
      if (selected === group.name) location.hash = '#/groups';
      return `Group ${group.name} is deleted.`;
    });
  };
  return (
    <section aria-labelledby="groups-title">
      <h1 id="groups-title">Groups</h1>
      <div role={status?.ok === false ? 'alert' : 'status'} class={status ? (status.ok ? 'ok' : 'error') : undefined}>
        {status?.text}
      </div>
      <form class="toolbar" onSubmit={create} aria-label="New group">
        <div class="field">
          <label for="group-name">Group name</label>
          <input id="group-name" type="text" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="group-display">Display name (optional)</label>
          <input id="group-display" type="text" value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
        </div>
        <button type="submit" class="primary">
          Create group
        </button>
      </form>
      {groups && (
        <DataTable
          caption="Groups"
          columns={['Name', 'Display name', 'Created', '']}
          empty="No group yet."
          rows={groups.map((g) => (
            <tr key={g.id}>
              <td>
                <a href={`#/groups/${enc(g.name)}`} aria-current={selected === g.name ? 'page' : undefined}>
                  {g.name}
                </a>
              </td>
              <td>{g.displayName}</td>
              <td>{when(g.createdAt)}</td>
              <td>
                <button type="button" class="danger" aria-label={`Delete group ${g.name}`} onClick={() => remove(g)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        />
      )}
      {selected && <Members group={selected} />}
    </section>
  );
}

function Members({ group }: { group: string }) {
  const base = `/groups/${enc(group)}/members`;
  const [members, setMembers] = useState<UserView[] | undefined>();
  const [username, setUsername] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | undefined>();
  const load = () =>
    adminApi('GET', base, groupMembers).then(
      (answer) => setMembers(answer.members),
      (e) => setStatus({ ok: false, text: describeError(e) }),
    );
  useEffect(() => {
    setStatus(undefined);
    void load();
  }, [group]);
  const act = async (work: () => Promise<string>) => {
    setStatus(undefined);
    try {
      setStatus({ ok: true, text: await work() });
      await load();
    } catch (e) {
      setStatus({ ok: false, text: describeError(e) });
    }
  };
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">Members of {group}</h2>
      <div role={status?.ok === false ? 'alert' : 'status'} class={status ? (status.ok ? 'ok' : 'error') : undefined}>
        {status?.text}
      </div>
      <form
        class="toolbar"
        aria-label={`Add a member to ${group}`}
        onSubmit={(e) => {
          e.preventDefault();
          const name = username.trim();
          void act(async () => {
            await adminApi('PUT', `${base}/${enc(name)}`, noContent);
            setUsername('');
            return `${name} is a member of ${group}.`;
          });
        }}
      >
        <div class="field">
          <label for="member-name">Username</label>
          <input id="member-name" type="text" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </div>
        <button type="submit">Add member</button>
      </form>
      <ul>
        {members?.length === 0 && <li class="muted">No members.</li>}
        {members?.map((m) => (
          <li key={m.id}>
            <a href={`#/users/${enc(m.username)}`}>{m.displayName}</a> ({m.username}){' '}
            <button
              type="button"
              class="link"
              aria-label={`Remove ${m.username} from ${group}`}
              onClick={() =>
                act(async () => {
                  await adminApi('DELETE', `${base}/${enc(m.username)}`, noContent);
                  return `${m.username} is no longer a member of ${group}.`;
                })
              }
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
