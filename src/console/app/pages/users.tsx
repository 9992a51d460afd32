import { useState } from 'preact/hooks';
import { Api, Role, User } from '../api.ts';
import { Pager, TableHead } from '../components/table.tsx';
import { Link, Notice, Show, useAction, useLoad } from '../components/ui.tsx';
import { navigate } from '../router.ts';
import { MANAGE_AUTH } from '../session.ts';

const PAGE = 50;

export function UsersPage(props: { api: Api; link: (sub: string) => string }) {
  const { api, link } = props;
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const [creating, setCreating] = useState(false);
  const [loaded, reload] = useLoad(() => api.users(search, offset, PAGE), [search, offset]);
  return (
    <>
      <div class="title-row">
        <h1>Users</h1>
        <button type="button" onClick={() => setCreating(!creating)} aria-expanded={creating}>
          New user
        </button>
      </div>
      {creating ? <NewUser api={api} link={link} onCreated={reload} /> : null}
      <form
        role="search"
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          setOffset(0);
          setSearch(typed.trim());
        }}
      >
        <label for="user-search">Search</label>
        <input
          id="user-search"
          type="search"
          maxLength={320}
          placeholder="Email, username or name"
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
        <button type="submit" class="secondary">
          Search
        </button>
      </form>
      <Show loaded={loaded} permission={MANAGE_AUTH}>
        {(users) => (
          <>
            <UsersTable users={users} api={api} link={link} search={search} />
            <Pager
              labels={['Previous page', 'Next page']}
              offset={offset}
              size={PAGE}
              shown={users.length}
              go={setOffset}
            />
          </>
        )}
      </Show>
    </>
  );
}

function UsersTable(props: { users: User[]; api: Api; link: (sub: string) => string; search: string }) {
  if (!props.users.length) {
    return <p>{props.search ? `No user matches “${props.search}”.` : 'This tenant has no users yet.'}</p>;
  }
  return (
    <table>
      <TableHead caption="Users of the tenant" columns={['Email', 'Name', 'Role', 'Status', 'MFA']} />
      <tbody>
        {props.users.map((u) => {
          const m = u.memberships.find((x) => x.tenantId === props.api.tenantId);
          return (
            <tr key={u.id} class="clickable" onClick={() => navigate(props.link(`users/${u.id}`))}>
              <td>
                <Link href={props.link(`users/${u.id}`)}>{u.email ?? u.username ?? u.id}</Link>
              </td>
              <td>{[u.firstName, u.lastName].filter(Boolean).join(' ') || '—'}</td>
              <td>{m?.role ?? '—'}</td>
              <td>
                <span class={`badge ${m?.status === 'ACTIVE' ? 'ok' : 'warn'}`}>{m?.status ?? '—'}</span>
              </td>
              <td>{u.mfaEnabled ? 'On' : 'Off'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function NewUser(props: { api: Api; link: (sub: string) => string; onCreated: () => void }) {
  const [loaded] = useLoad<Role[]>(() => props.api.roles(), []);
  const action = useAction();
  const [form, setForm] = useState({ email: '', firstName: '', lastName: '', password: '', role: '' });
  const set = (k: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  return (
    <form
      class="card"
      aria-labelledby="new-user-title"
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          const body: Record<string, unknown> = { email: form.email.trim() };
          if (form.firstName.trim()) body.firstName = form.firstName.trim();
          if (form.lastName.trim()) body.lastName = form.lastName.trim();
          if (form.password) body.password = form.password;
          if (form.role) body.role = form.role;
          const created = await props.api.createUser(body);
          props.onCreated();
          navigate(props.link(`users/${created.id}`));
        });
      }}
    >
      <h2 id="new-user-title">New user</h2>
      <label for="nu-email">Email</label>
      <input id="nu-email" type="email" required maxLength={320} value={form.email} onInput={set('email')} />
      <div class="two">
        <div>
          <label for="nu-first">First name</label>
          <input id="nu-first" maxLength={200} value={form.firstName} onInput={set('firstName')} />
        </div>
        <div>
          <label for="nu-last">Last name</label>
          <input id="nu-last" maxLength={200} value={form.lastName} onInput={set('lastName')} />
        </div>
      </div>
      <label for="nu-password">Password (optional: the user can also set one with “Forgot password”)</label>
      <input
        id="nu-password"
        type="password"
        autoComplete="new-password"
        maxLength={1024}
        value={form.password}
        onInput={set('password')}
      />
      <label for="nu-role">Role</label>
      <select id="nu-role" value={form.role} onChange={set('role')}>
        <option value="">No role</option>
        {loaded.state === 'ready' ? loaded.value.map((r) => <option key={r.id}>{r.name}</option>) : null}
      </select>
      <button type="submit" disabled={action.busy}>
        Create user
      </button>
      <Notice message={action.message} error={action.error} />
    </form>
  );
}
