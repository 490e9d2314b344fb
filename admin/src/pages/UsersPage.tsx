import { useEffect, useState } from 'preact/hooks';
import { type UserView, userList } from '../../../shared/schemas/directory';
import { adminApi, describeError, enc, when } from '../api';

const pageSize = 25;

/** Users: the tenant's users, searched by name on the relay, a page at a time (the admin API's cursor). */
export function UsersPage() {
  const [users, setUsers] = useState<UserView[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [search, setSearch] = useState('');
  /** The cursors of the pages shown so far: the last is this page's. */
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [next, setNext] = useState<string | null>(null);
  const cursor = cursors.at(-1);
  useEffect(() => {
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (search.trim()) query.set('search', search.trim());
    if (cursor) query.set('cursor', cursor);
    let current = true;
    adminApi('GET', `/users?${query}`, userList).then(
      (answer) => {
        if (!current) return;
        setUsers(answer.users);
        setNext(answer.nextCursor);
        setError(undefined);
      },
      (e) => current && setError(describeError(e)),
    );
    return () => {
      current = false;
    };
  }, [search, cursor]);
  const state = (u: UserView) =>
    u.disabled ? <span class="badge failure">Disabled</span> : u.blocked ? <span class="badge failure">Blocked</span> : 'Active';
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <div class="toolbar">
        <div class="field">
          <label for="user-search">Search users</label>
          <input
            id="user-search"
            type="search"
            value={search}
            onInput={(e) => {
              setSearch(e.currentTarget.value);
              setCursors([undefined]);
            }}
          />
        </div>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!users && !error && <p aria-busy="true">Loading users…</p>}
      {users && (
        <>
          <table class="methods">
            <caption class="visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">Display name</th>
                <th scope="col">Username</th>
                <th scope="col">Type</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {users.length === 0 && (
                <tr>
                  <td colSpan={5} class="muted">
                    No users match.
                  </td>
                </tr>
              )}
              {users.map((u) => (
                <tr key={u.id}>
                  <td>
                    <a href={`#/users/${enc(u.username)}`}>{u.displayName}</a>
                  </td>
                  <td>{u.username}</td>
                  <td>{u.kind === 'guest' ? 'Guest' : 'Member'}</td>
                  <td>{state(u)}</td>
                  <td>{when(u.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="toolbar" aria-label="Pages of users">
            <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous page
            </button>
            <span role="status">Page {cursors.length}</span>
            <button type="button" disabled={next === null} onClick={() => next && setCursors([...cursors, next])}>
              Next page
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
