import { useState } from 'preact/hooks';
import { Api } from '../api.ts';
import { TableHead } from '../components/table.tsx';
import { formatTime, Notice, Show, useAction, useLoad } from '../components/ui.tsx';
import { MANAGE_AUTH } from '../session.ts';

export function HeadlessTokensPage(props: { api: Api }) {
  const { api } = props;
  const [loaded, reload] = useLoad(() => api.headlessTokens(), []);
  const action = useAction();
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <>
      <h1>Headless tokens</h1>
      <p class="muted">
        A headless token lets your own server get member tokens (API section 9). Keep it on the server only.
      </p>
      <form
        class="card"
        aria-labelledby="new-token-title"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            const created = await api.createHeadlessToken(name.trim());
            setSecret(created.token);
            setName('');
            reload();
            return `Token ${created.name} created.`;
          });
        }}
      >
        <h2 id="new-token-title">New headless token</h2>
        <label for="token-name">Token name</label>
        <input
          id="token-name"
          required
          maxLength={200}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="submit" disabled={action.busy}>
          Create token
        </button>
        <Notice message={action.message} error={action.error} />
        {secret ? (
          <div class="secret">
            <label for="headless-token">Headless token</label>
            <textarea id="headless-token" readOnly rows={2} spellcheck={false}>
              {secret}
            </textarea>
            <p class="muted">Copy it now: it is stored only as a hash and will not be shown again.</p>
          </div>
        ) : null}
      </form>
      <Show loaded={loaded} permission={MANAGE_AUTH}>
        {(tokens) =>
          tokens.length ? (
            <table>
              <TableHead
                caption="Headless tokens of the tenant"
                columns={['Name', 'Created', 'Last used', '']}
              />
              <tbody>
                {tokens.map((t) => (
                  <tr key={t.id}>
                    <td>{t.name}</td>
                    <td>{formatTime(t.createdAt)}</td>
                    <td>{formatTime(t.lastUsedAt)}</td>
                    <td class="num">
                      <button
                        type="button"
                        class="danger"
                        aria-label={`Revoke ${t.name}`}
                        disabled={action.busy}
                        onClick={() => {
                          if (!confirm(`Revoke the token ${t.name}? Servers using it stop working at once.`))
                            return;
                          void action.run(async () => {
                            await api.revokeHeadlessToken(t.id);
                            reload();
                            return `Token ${t.name} revoked.`;
                          });
                        }}
                      >
                        Revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No headless tokens yet.</p>
          )
        }
      </Show>
    </>
  );
}
