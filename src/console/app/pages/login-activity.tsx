import { useState } from 'preact/hooks';
import { Api, AUTH_METHODS, LOGIN_TYPES } from '../api.ts';
import { Pager, TableHead } from '../components/table.tsx';
import { formatTime, Link, Show, useLoad } from '../components/ui.tsx';
import { VIEW_LOGIN_ACTIVITY } from '../session.ts';

const PAGE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Filters {
  loginType: string;
  authMethod: string;
  actor: string;
  from: string;
  to: string;
}
const EMPTY: Filters = { loginType: '', authMethod: '', actor: '', from: '', to: '' };

/** The filter of GET /login-activity (API.md section 6: loopback-style where, order, limit, skip). */
function toFilter(f: Filters, skip: number): Record<string, unknown> {
  const and: Record<string, unknown>[] = [];
  if (f.loginType) and.push({ loginType: f.loginType });
  if (f.authMethod) and.push({ authMethod: f.authMethod });
  if (UUID.test(f.actor.trim())) and.push({ actor: f.actor.trim() });
  if (f.from) and.push({ loginTime: { gte: new Date(`${f.from}T00:00:00.000Z`).toISOString() } });
  if (f.to) and.push({ loginTime: { lte: new Date(`${f.to}T23:59:59.999Z`).toISOString() } });
  return {
    ...(and.length ? { where: { and } } : {}),
    order: ['loginTime DESC'],
    limit: PAGE,
    skip,
  };
}

export function LoginActivityPage(props: { api: Api; link: (sub: string) => string }) {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [skip, setSkip] = useState(0);
  const [loaded] = useLoad(() => props.api.loginActivity(toFilter(applied, skip)), [applied, skip]);
  const set = (k: keyof Filters) => (e: Event) =>
    setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement).value });
  const actorInvalid = draft.actor.trim() !== '' && !UUID.test(draft.actor.trim());
  return (
    <>
      <h1>Login activity</h1>
      <form
        class="card filters"
        aria-label="Filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (actorInvalid) return;
          setSkip(0);
          setApplied(draft);
        }}
      >
        <div>
          <label for="f-type">Type</label>
          <select id="f-type" value={draft.loginType} onChange={set('loginType')}>
            <option value="">Any type</option>
            {LOGIN_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-method">Method</label>
          <select id="f-method" value={draft.authMethod} onChange={set('authMethod')}>
            <option value="">Any method</option>
            {AUTH_METHODS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-actor">User id</label>
          <input
            id="f-actor"
            value={draft.actor}
            onInput={set('actor')}
            aria-invalid={actorInvalid}
            aria-describedby="f-actor-help"
            maxLength={36}
          />
          <p id="f-actor-help" class="help">
            {actorInvalid ? 'A user id is a UUID (see the user’s page).' : 'Optional: one user’s activity.'}
          </p>
        </div>
        <div>
          <label for="f-from">From</label>
          <input id="f-from" type="date" value={draft.from} onInput={set('from')} />
        </div>
        <div>
          <label for="f-to">To</label>
          <input id="f-to" type="date" value={draft.to} onInput={set('to')} />
        </div>
        <div class="filter-buttons">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setDraft(EMPTY);
              setApplied(EMPTY);
              setSkip(0);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <Show loaded={loaded} permission={VIEW_LOGIN_ACTIVITY}>
        {(rows) => (
          <>
            {rows.length ? (
              <table>
                <TableHead
                  caption="Login activity, newest first"
                  columns={['Time', 'User', 'Type', 'Method', 'Device', 'IP address']}
                />
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.id}>
                      <td>{formatTime(r.loginTime)}</td>
                      <td>
                        <Link href={props.link(`users/${r.actor}`)}>
                          <code>{r.actor.slice(0, 8)}</code>
                          <span class="sr-only"> (user {r.actor})</span>
                        </Link>
                      </td>
                      <td>{r.loginType}</td>
                      <td>{r.authMethod}</td>
                      <td>{r.deviceInfo ?? '—'}</td>
                      <td>{r.ipAddress ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p>No login activity matches these filters.</p>
            )}
            <Pager labels={['Newer', 'Older']} offset={skip} size={PAGE} shown={rows.length} go={setSkip} />
          </>
        )}
      </Show>
    </>
  );
}
