import { useState } from 'preact/hooks';
import { Api, Role, User } from '../api.ts';
import { formatTime, Link, Notice, Show, useAction, useLoad } from '../components/ui.tsx';
import { MANAGE_AUTH } from '../session.ts';

/** One user: their membership of this tenant, and the actions on it. */
export function UserPage(props: { api: Api; id: string; back: string }) {
  const { api, id } = props;
  const [loaded, reload] = useLoad(() => Promise.all([api.user(id), api.roles()]), [id]);
  return (
    <>
      <p>
        <Link href={props.back}>← Back to the list</Link>
      </p>
      <Show loaded={loaded} permission={MANAGE_AUTH}>
        {([user, roles]) => <UserDetails api={api} user={user} roles={roles} reload={reload} />}
      </Show>
    </>
  );
}

function UserDetails(props: { api: Api; user: User; roles: Role[]; reload: () => void }) {
  const { api, user, reload } = props;
  const action = useAction();
  const membership = user.memberships.find((m) => m.tenantId === api.tenantId);
  const [role, setRole] = useState(membership?.role ?? '');
  const name = user.email ?? user.username ?? user.id;
  const act = (work: () => Promise<unknown>, done: string) =>
    action.run(async () => {
      await work();
      reload();
      return done;
    });
  return (
    <>
      <h1>{name}</h1>
      <dl class="facts">
        <dt>Status in this tenant</dt>
        <dd>
          <span
            class={`badge ${membership?.status === 'ACTIVE' ? 'ok' : 'warn'}`}
            data-testid="membership-status"
          >
            {membership?.status ?? 'not a member'}
          </span>
        </dd>
        <dt>Name</dt>
        <dd>{[user.firstName, user.lastName].filter(Boolean).join(' ') || '—'}</dd>
        <dt>Username</dt>
        <dd>{user.username ?? '—'}</dd>
        <dt>Email verified</dt>
        <dd>{user.emailVerified ? 'Yes' : 'No'}</dd>
        <dt>Two-step verification (MFA)</dt>
        <dd>{user.mfaEnabled ? 'On' : 'Off'}</dd>
        <dt>Member id</dt>
        <dd>{membership?.memberId ?? '—'}</dd>
        <dt>Created</dt>
        <dd>{formatTime(user.createdAt)}</dd>
        <dt>User id</dt>
        <dd>
          <code>{user.id}</code>
        </dd>
      </dl>

      <section class="card" aria-labelledby="actions-title">
        <h2 id="actions-title">Actions</h2>
        <div class="actions">
          <button
            type="button"
            disabled={action.busy}
            onClick={() =>
              act(
                () => api.updateUser(user.id, { status: 'LOCKED' }),
                `${name} is locked out of this tenant.`,
              )
            }
          >
            Lock
          </button>
          <button
            type="button"
            disabled={action.busy}
            onClick={() =>
              act(() => api.updateUser(user.id, { status: 'ACTIVE' }), `${name} is active again.`)
            }
          >
            Unlock
          </button>
          <button
            type="button"
            disabled={action.busy}
            onClick={() =>
              act(() => api.revokeSessions(user.id), `Every session of ${name} in this tenant ended.`)
            }
          >
            Revoke sessions
          </button>
          <button
            type="button"
            disabled={action.busy}
            onClick={() => {
              if (
                confirm(`Remove every authenticator and recovery code of ${name}? They will be signed out.`)
              ) {
                void act(
                  () => api.resetMfa(user.id),
                  `The MFA of ${name} is reset; they were mailed a notice.`,
                );
              }
            }}
          >
            Reset MFA
          </button>
          {membership?.status === 'PENDING_APPROVAL' ? (
            <button
              type="button"
              disabled={action.busy}
              onClick={() => act(() => api.approve(user.id), `${name} is approved.`)}
            >
              Approve
            </button>
          ) : null}
        </div>
        <p class="muted">
          Lock keeps the user out of this tenant and ends their sessions here. Revoke sessions signs them out
          everywhere in this tenant. Reset MFA is for a user who lost their authenticator.
        </p>
        <Notice message={action.message} error={action.error} />
      </section>

      <form
        class="card"
        aria-labelledby="role-title"
        onSubmit={(e) => {
          e.preventDefault();
          void act(
            () => api.updateUser(user.id, { role: role || null }),
            `The role of ${name} is now ${role || 'none'}.`,
          );
        }}
      >
        <h2 id="role-title">Role</h2>
        <label for="user-role">Role in this tenant</label>
        <select id="user-role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          <option value="">No role</option>
          {props.roles.map((r) => (
            <option key={r.id}>{r.name}</option>
          ))}
        </select>
        <button type="submit" class="secondary" disabled={action.busy}>
          Save role
        </button>
      </form>
    </>
  );
}
