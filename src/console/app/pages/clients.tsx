import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { Api, Client } from '../api.ts';
import { TableHead } from '../components/table.tsx';
import { lines, Link, Notice, Show, useAction, useLoad } from '../components/ui.tsx';
import { navigate } from '../router.ts';
import { MANAGE_AUTH } from '../session.ts';

const isConsole = (c: Client) => c.clientId.startsWith('console:');

export function ClientsPage(props: { api: Api; link: (sub: string) => string }) {
  const { api, link } = props;
  const [open, setOpen] = useState(false);
  const [loaded, reload] = useLoad(() => api.clients(), []);
  return (
    <>
      <div class="title-row">
        <h1>Clients</h1>
        <button type="button" onClick={() => setOpen(!open)} aria-expanded={open}>
          New client
        </button>
      </div>
      {open ? <NewClient api={api} onCreated={reload} /> : null}
      <Show loaded={loaded} permission={MANAGE_AUTH}>
        {(clients) => (
          <table>
            <TableHead
              caption="Clients of the tenant"
              columns={['Client ID', 'Name', 'Type', 'Redirect URLs']}
            />
            <tbody>
              {clients.map((c) => (
                <tr key={c.id} class="clickable" onClick={() => navigate(link(`clients/${c.id}`))}>
                  <td>
                    <Link href={link(`clients/${c.id}`)}>{c.clientId}</Link>
                  </td>
                  <td>{c.name}</td>
                  <td>{isConsole(c) ? 'This console' : c.public ? 'Public' : 'Confidential'}</td>
                  <td class="urls">{c.redirectUrls.join(' ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </>
  );
}

type ListKey = 'redirectUrls' | 'allowedOrigins';

/** A client's lists, one entry a line: key, id suffix, label, rows, and the new-client form's help. */
const LISTS: [ListKey, string, string, number, string][] = [
  [
    'redirectUrls',
    'redirects',
    'Redirect URLs',
    3,
    'One per line: https://app.example.com/callback, or an app URL such as com.example.app:/callback.',
  ],
  [
    'allowedOrigins',
    'origins',
    'Allowed origins',
    2,
    'One per line (https://app.example.com): browsers on these origins may call the service.',
  ],
];

/**
 * The list fields of the new-client form (`nc-…`, each described by its help) or, `editing`, of the
 * settings form (`ec-…`, with a short note under the redirect URLs).
 */
function ClientLists(props: {
  editing?: boolean;
  form: Record<ListKey, string>;
  set: (k: ListKey, value: string) => void;
}) {
  const { editing, form } = props;
  return (
    <>
      {LISTS.map(([key, suffix, label, rows, help]) => {
        const id = `${editing ? 'ec' : 'nc'}-${suffix}`;
        return (
          <Fragment key={key}>
            <label for={id}>{label}</label>
            <textarea
              id={id}
              rows={rows}
              aria-describedby={editing ? undefined : `${id}-help`}
              value={form[key]}
              onInput={(e) => props.set(key, e.currentTarget.value)}
            />
            {editing ? null : (
              <p id={`${id}-help`} class="help">
                {help}
              </p>
            )}
            {editing && key === 'redirectUrls' ? <p class="help">One per line.</p> : null}
          </Fragment>
        );
      })}
    </>
  );
}

/** The clear secret, shown once. Its text is both the element's text and its value. */
function SecretBox(props: { secret: string; label: string }) {
  return (
    <div class="secret">
      <label for="client-secret">{props.label}</label>
      <textarea id="client-secret" readOnly rows={2} spellcheck={false} autoComplete="off">
        {props.secret}
      </textarea>
      <p class="muted">Copy it now: it is stored only as a hash and will not be shown again.</p>
    </div>
  );
}

function NewClient(props: { api: Api; onCreated: () => void }) {
  const action = useAction();
  const [created, setCreated] = useState<(Client & { clientSecret: string | null }) | null>(null);
  const [form, setForm] = useState({
    clientId: '',
    name: '',
    redirectUrls: '',
    allowedOrigins: '',
    public: false,
  });
  const set = (k: 'clientId' | 'name') => (e: Event) =>
    setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  return (
    <form
      id="new-client"
      class="card"
      aria-labelledby="new-client-title"
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          const client = await props.api.createClient({
            clientId: form.clientId.trim(),
            name: form.name.trim(),
            redirectUrls: lines(form.redirectUrls),
            allowedOrigins: lines(form.allowedOrigins),
            public: form.public,
          });
          setCreated(client);
          props.onCreated();
          return `Client ${client.clientId} created.`;
        });
      }}
    >
      <h2 id="new-client-title">New client</h2>
      <label for="nc-client-id">Client ID</label>
      <input id="nc-client-id" required maxLength={200} value={form.clientId} onInput={set('clientId')} />
      <label for="nc-name">Name</label>
      <input id="nc-name" required maxLength={200} value={form.name} onInput={set('name')} />
      <ClientLists form={form} set={(k, value) => setForm({ ...form, [k]: value })} />
      <label class="check">
        <input
          type="checkbox"
          checked={form.public}
          onChange={(e) => setForm({ ...form, public: e.currentTarget.checked })}
        />
        Public client (a single-page or mobile app: no secret, PKCE)
      </label>
      <button type="submit" disabled={action.busy}>
        Create
      </button>
      <Notice message={action.message} error={action.error} />
      {created?.clientSecret ? <SecretBox secret={created.clientSecret} label="Client secret" /> : null}
    </form>
  );
}

export function ClientPage(props: { api: Api; id: string; back: string }) {
  const [loaded, reload] = useLoad(() => props.api.getClient(props.id), [props.id]);
  return (
    <>
      <p>
        <Link href={props.back}>← Back to the list</Link>
      </p>
      <Show loaded={loaded} permission={MANAGE_AUTH}>
        {(client) => (
          <EditClient key={client.id} api={props.api} client={client} reload={reload} back={props.back} />
        )}
      </Show>
    </>
  );
}

function EditClient(props: { api: Api; client: Client; reload: () => void; back: string }) {
  const { api, client } = props;
  const action = useAction();
  const [secret, setSecret] = useState<string | null>(null);
  const [form, setForm] = useState({
    name: client.name,
    redirectUrls: client.redirectUrls.join('\n'),
    allowedOrigins: client.allowedOrigins.join('\n'),
    mfaRequired: client.mfaRequired,
    allowSignUp: client.allowSignUp,
    requireOwnerApproval: client.requireOwnerApproval,
    requireEmailVerification: client.requireEmailVerification,
  });
  if (isConsole(client)) {
    return (
      <section class="card" aria-labelledby="client-title">
        <h1 id="client-title">{client.name}</h1>
        <p>
          <code>{client.clientId}</code> is this console's own client. The service manages it (its redirect
          URL follows PUBLIC_URL), so it cannot be edited, rotated or deleted here.
        </p>
      </section>
    );
  }
  const flag = (
    k: 'mfaRequired' | 'allowSignUp' | 'requireOwnerApproval' | 'requireEmailVerification',
    text: string,
  ) => (
    <label class="check">
      <input
        type="checkbox"
        checked={form[k]}
        onChange={(e) => setForm({ ...form, [k]: e.currentTarget.checked })}
      />
      {text}
    </label>
  );
  return (
    <>
      <h1>{client.name}</h1>
      <p class="muted">
        <code>{client.clientId}</code> · {client.public ? 'Public client' : 'Confidential client'}
      </p>
      <form
        class="card"
        aria-labelledby="edit-title"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            await api.updateClient(client.id, {
              name: form.name.trim(),
              redirectUrls: lines(form.redirectUrls),
              allowedOrigins: lines(form.allowedOrigins),
              mfaRequired: form.mfaRequired,
              allowSignUp: form.allowSignUp,
              requireOwnerApproval: form.requireOwnerApproval,
              requireEmailVerification: form.requireEmailVerification,
            });
            props.reload();
            return 'Saved.';
          });
        }}
      >
        <h2 id="edit-title">Settings</h2>
        <label for="ec-name">Name</label>
        <input
          id="ec-name"
          required
          maxLength={200}
          value={form.name}
          onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
        />
        <ClientLists editing form={form} set={(k, value) => setForm({ ...form, [k]: value })} />
        {flag('mfaRequired', 'Require a second factor (MFA) for every sign-in')}
        {flag('allowSignUp', 'Allow sign-up')}
        {flag('requireEmailVerification', 'Require a verified email')}
        {flag('requireOwnerApproval', 'New members wait for an administrator’s approval')}
        <button type="submit" disabled={action.busy}>
          Save
        </button>
        <Notice message={action.message} error={action.error} />
      </form>
      {!client.public ? (
        <section class="card" aria-labelledby="secret-title">
          <h2 id="secret-title">Secret</h2>
          <p>A new secret replaces the old one at once: update the app that uses it.</p>
          <button
            type="button"
            class="secondary"
            disabled={action.busy}
            onClick={() => {
              if (!confirm('Replace the secret? The old one stops working at once.')) return;
              void action.run(async () => {
                setSecret((await api.rotateSecret(client.id)).clientSecret);
                return 'The secret was rotated.';
              });
            }}
          >
            Rotate secret
          </button>
          {secret ? <SecretBox secret={secret} label="Client secret" /> : null}
        </section>
      ) : null}
    </>
  );
}
