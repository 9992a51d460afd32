import { useState } from 'preact/hooks';
import { Notice } from '../components/ui.tsx';
import { PageConfig, tenantPath, Tenant } from '../config.ts';

/** /console, /console/signed-out, and a failed sign-in: open a tenant's console by its key. */
export function HomePage(props: {
  config: PageConfig;
  signedOut?: boolean;
  message?: string;
  tenant: Tenant | null;
}) {
  const [key, setKey] = useState(props.tenant?.key ?? '');
  return (
    <main id="main" class="narrow">
      <section class="card" aria-labelledby="title">
        <h1 id="title">{props.signedOut ? 'Signed out' : 'Admin console'}</h1>
        {props.signedOut ? <Notice message="You are signed out." /> : null}
        {props.message ? <Notice message={props.message} error /> : null}
        <p>Each tenant has its own console. Enter the key of your tenant to sign in.</p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (key.trim()) location.assign(tenantPath(props.config, key.trim()));
          }}
        >
          <label for="tenant-key">Tenant key</label>
          <input
            id="tenant-key"
            name="tenantKey"
            required
            maxLength={100}
            autoComplete="organization"
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
          />
          <button type="submit">Sign in</button>
        </form>
      </section>
    </main>
  );
}
