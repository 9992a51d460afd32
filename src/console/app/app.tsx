import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Api, SESSION_ENDED } from './api.ts';
import { Link, Notice, PermissionNeeded } from './components/ui.tsx';
import { consoleRoot, PageConfig, tenantPath, Tenant } from './config.ts';
import { ClientPage, ClientsPage } from './pages/clients.tsx';
import { DashboardPage } from './pages/dashboard.tsx';
import { HeadlessTokensPage } from './pages/headless-tokens.tsx';
import { HomePage } from './pages/home.tsx';
import { LoginActivityPage } from './pages/login-activity.tsx';
import { RolesPage } from './pages/roles.tsx';
import { UserPage } from './pages/user.tsx';
import { UsersPage } from './pages/users.tsx';
import { navigate, usePath } from './router.ts';
import {
  can,
  completeSignIn,
  MANAGE_AUTH,
  Session,
  signOut,
  startSignIn,
  VIEW_LOGIN_ACTIVITY,
} from './session.ts';

type Boot =
  | { kind: 'home'; signedOut?: boolean; message?: string; tenant?: Tenant | null }
  | { kind: 'unknown-tenant'; key: string }
  | { kind: 'not-found' }
  | { kind: 'signing-in' }
  | { kind: 'ready'; session: Session };

const NAV: [string, string][] = [
  ['', 'Dashboard'],
  ['users', 'Users'],
  ['clients', 'Clients'],
  ['roles', 'Roles'],
  ['login-activity', 'Login activity'],
  ['headless-tokens', 'Headless tokens'],
];

export function App(props: { config: PageConfig }) {
  const { config } = props;
  const [boot, setBoot] = useState<Boot>({ kind: 'signing-in' });

  useEffect(() => {
    // The console runs on PUBLIC_URL's origin only (its redirect URI, its CSP, web storage of
    // the pending sign-in): opened under another name of the same server, go there first.
    const publicOrigin = new URL(config.baseUrl).origin;
    if (location.origin !== publicOrigin) {
      location.replace(`${publicOrigin}${location.pathname}${location.search}`);
      return;
    }
    const root = consoleRoot(config);
    const path = location.pathname.replace(/\/+$/, '');
    if (config.error === 'unknown-tenant') {
      const key = decodeURIComponent(path.slice(`${root}/t/`.length).split('/')[0] ?? '');
      return setBoot({ kind: 'unknown-tenant', key });
    }
    if (config.error === 'not-found') return setBoot({ kind: 'not-found' });
    if (path === `${root}/callback`) {
      void completeSignIn(config).then((outcome) => {
        if (outcome.kind === 'redirecting') return;
        if (outcome.kind === 'error') {
          return setBoot({ kind: 'home', message: outcome.message, tenant: outcome.tenant });
        }
        navigate(outcome.returnTo, true);
        setBoot({ kind: 'ready', session: outcome.session });
      });
      return;
    }
    if (path === `${root}/signed-out`) return setBoot({ kind: 'home', signedOut: true });
    if (config.tenant && config.clientId) {
      // No tokens survive a reload: sign in again, silently where the service allows it.
      void startSignIn(config, config.tenant, config.clientId, location.pathname, true);
      return;
    }
    setBoot({ kind: 'home' });
  }, []);

  switch (boot.kind) {
    case 'signing-in':
      return (
        <main id="main" class="narrow">
          <p role="status">Signing in…</p>
        </main>
      );
    case 'home':
      return (
        <HomePage
          config={config}
          signedOut={boot.signedOut}
          message={boot.message}
          tenant={boot.tenant ?? null}
        />
      );
    case 'unknown-tenant':
      return (
        <main id="main" class="narrow">
          <section class="card" aria-labelledby="title">
            <h1 id="title">Unknown tenant</h1>
            <p>
              There is no tenant with the key <strong>{boot.key}</strong>. Check the address: the console of a
              tenant is at <code>{consoleRoot(config)}/t/&lt;tenant key&gt;</code>.
            </p>
            <p>
              <a href={consoleRoot(config)}>Open another tenant's console</a>
            </p>
          </section>
        </main>
      );
    case 'not-found':
      return (
        <main id="main" class="narrow">
          <section class="card" aria-labelledby="title">
            <h1 id="title">Page not found</h1>
            <p>
              <a href={consoleRoot(config)}>Open a tenant's console</a>
            </p>
          </section>
        </main>
      );
    case 'ready':
      return <Console config={config} session={boot.session} />;
  }
}

function Console(props: { config: PageConfig; session: Session }) {
  const { config, session } = props;
  const path = usePath();
  const api = useMemo(() => new Api(session.client, session.tenant.id), [session]);
  const base = tenantPath(config, session.tenant.key);
  const sub = decodeURI(path.startsWith(base) ? path.slice(base.length) : '').replace(/\/+$/, '');
  const [section, id] = sub.split('/');
  const [signingOut, setSigningOut] = useState(false);
  const leaving = useRef(false);
  const isAdmin = can(session, MANAGE_AUTH);
  const canReports = can(session, VIEW_LOGIN_ACTIVITY);
  const who = session.me.email ?? session.me.username ?? session.me.id;

  useEffect(() => {
    const again = () => {
      if (leaving.current) return; // signing out: the answers to calls still in flight do not matter
      void startSignIn(config, session.tenant, session.client.clientId, location.pathname, true);
    };
    window.addEventListener(SESSION_ENDED, again);
    return () => window.removeEventListener(SESSION_ENDED, again);
  }, [session]);

  useEffect(() => {
    const label = NAV.find(([s]) => s === (section ?? ''))?.[1] ?? 'Admin console';
    document.title = `${label} · ${session.tenant.name} · Admin console`;
  }, [section]);

  let page;
  if (!isAdmin && !canReports) {
    page = (
      <PermissionNeeded
        permission={MANAGE_AUTH}
        detail="The console is for the administrators of this tenant: their role has ManageAuth (and ViewLoginActivity for the reports)."
      />
    );
  } else {
    const need = (permission: string, ok: boolean, render: () => preact.JSX.Element) =>
      ok ? render() : <PermissionNeeded permission={permission} />;
    const link = (s: string) => `${base}${s}`;
    switch (section ?? '') {
      case '':
        page = need(VIEW_LOGIN_ACTIVITY, canReports, () => <DashboardPage api={api} />);
        break;
      case 'users':
        page = need(MANAGE_AUTH, isAdmin, () =>
          id ? <UserPage api={api} id={id} back={link('users')} /> : <UsersPage api={api} link={link} />,
        );
        break;
      case 'clients':
        page = need(MANAGE_AUTH, isAdmin, () =>
          id ? (
            <ClientPage api={api} id={id} back={link('clients')} />
          ) : (
            <ClientsPage api={api} link={link} />
          ),
        );
        break;
      case 'roles':
        page = need(MANAGE_AUTH, isAdmin, () => <RolesPage api={api} />);
        break;
      case 'headless-tokens':
        page = need(MANAGE_AUTH, isAdmin, () => <HeadlessTokensPage api={api} />);
        break;
      case 'login-activity':
        page = need(VIEW_LOGIN_ACTIVITY, canReports, () => <LoginActivityPage api={api} link={link} />);
        break;
      default:
        page = <Notice message="There is no such page in the console." error />;
    }
  }

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="brand">
          <span class="brand-name">{session.tenant.name}</span>
          <span class="muted"> · Admin console</span>
        </div>
        <div class="who">
          <span class="muted">{who}</span>
          <button
            type="button"
            class="secondary"
            disabled={signingOut}
            onClick={() => {
              leaving.current = true;
              setSigningOut(true);
              void signOut(config, session);
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <div class="shell">
        <nav aria-label="Console">
          <ul>
            {NAV.map(([s, label]) => (
              <li key={s}>
                <Link href={`${base}${s}`} current={(section ?? '') === s}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          {page}
        </main>
      </div>
    </>
  );
}

export const goTo = navigate;
