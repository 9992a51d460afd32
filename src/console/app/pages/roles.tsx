import { useState } from 'preact/hooks';
import { Api, Role } from '../api.ts';
import { TableHead } from '../components/table.tsx';
import { lines, Notice, Show, useAction, useLoad } from '../components/ui.tsx';
import { MANAGE_AUTH } from '../session.ts';

const KNOWN = ['ManageAuth', 'ViewLoginActivity'];

export function RolesPage(props: { api: Api }) {
  const [loaded, reload] = useLoad(() => props.api.roles(), []);
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <>
      <div class="title-row">
        <h1>Roles</h1>
        <button
          type="button"
          onClick={() => setEditing(editing === 'new' ? null : 'new')}
          aria-expanded={editing === 'new'}
        >
          New role
        </button>
      </div>
      <p class="muted">
        A role is a name and a list of permissions. ManageAuth lets a member administer this tenant (this
        console); ViewLoginActivity lets them read the reports. Changes apply within a second, also to tokens
        already issued.
      </p>
      {editing === 'new' ? (
        <RoleForm
          api={props.api}
          onDone={() => {
            setEditing(null);
            reload();
          }}
        />
      ) : null}
      <Show loaded={loaded} permission={MANAGE_AUTH}>
        {(roles) => (
          <table>
            <TableHead caption="Roles of the tenant" columns={['Role', 'Permissions', '']} />
            <tbody>
              {roles.map((r) =>
                editing === r.id ? (
                  <tr key={r.id}>
                    <td colSpan={3}>
                      <RoleForm
                        api={props.api}
                        role={r}
                        onDone={() => {
                          setEditing(null);
                          reload();
                        }}
                      />
                    </td>
                  </tr>
                ) : (
                  <tr key={r.id}>
                    <td>{r.name}</td>
                    <td>{r.permissions.join(', ') || '—'}</td>
                    <td class="num">
                      <button
                        type="button"
                        class="secondary"
                        onClick={() => setEditing(r.id)}
                        aria-label={`Edit ${r.name}`}
                      >
                        Edit
                      </button>
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        )}
      </Show>
    </>
  );
}

function RoleForm(props: { api: Api; role?: Role; onDone: () => void }) {
  const action = useAction();
  const { role } = props;
  const [name, setName] = useState(role?.name ?? '');
  const [known, setKnown] = useState(new Set(role?.permissions.filter((p) => KNOWN.includes(p)) ?? []));
  const [other, setOther] = useState(role?.permissions.filter((p) => !KNOWN.includes(p)).join('\n') ?? '');
  const prefix = role ? `role-${role.id}` : 'role-new';
  return (
    <form
      class="card"
      aria-label={role ? `Edit role ${role.name}` : 'New role'}
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          const permissions = [...known, ...lines(other)];
          if (role) await props.api.updateRole(role.id, { name: name.trim(), permissions });
          else await props.api.createRole({ name: name.trim(), permissions });
          props.onDone();
        });
      }}
    >
      <label for={`${prefix}-name`}>Role name</label>
      <input
        id={`${prefix}-name`}
        required
        maxLength={100}
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <fieldset>
        <legend>Permissions</legend>
        {KNOWN.map((p) => (
          <label class="check" key={p}>
            <input
              type="checkbox"
              checked={known.has(p)}
              onChange={(e) => {
                const next = new Set(known);
                if (e.currentTarget.checked) next.add(p);
                else next.delete(p);
                setKnown(next);
              }}
            />
            {p}
          </label>
        ))}
        <label for={`${prefix}-other`}>Other permissions (one per line)</label>
        <textarea
          id={`${prefix}-other`}
          rows={3}
          value={other}
          onInput={(e) => setOther(e.currentTarget.value)}
        />
      </fieldset>
      <div class="actions">
        <button type="submit" disabled={action.busy}>
          {role ? 'Save role' : 'Create role'}
        </button>
        <button type="button" class="secondary" onClick={props.onDone}>
          Cancel
        </button>
      </div>
      <Notice message={action.message} error={action.error} />
    </form>
  );
}
