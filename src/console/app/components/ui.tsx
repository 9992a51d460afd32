import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { describe, isForbidden } from '../api.ts';
import { onLinkClick } from '../router.ts';

export function Link(props: {
  href: string;
  children: ComponentChildren;
  current?: boolean;
  class?: string;
}) {
  return (
    <a
      href={props.href}
      onClick={onLinkClick}
      aria-current={props.current ? 'page' : undefined}
      class={props.class}
    >
      {props.children}
    </a>
  );
}

/** A polite live region for results of actions ("User locked."), and errors as alerts. */
export function Notice(props: { message: string | null; error?: boolean }) {
  if (!props.message) return <p class="notice-slot" role="status" aria-live="polite"></p>;
  return props.error ? (
    <p class="notice error" role="alert">
      {props.message}
    </p>
  ) : (
    <p class="notice ok" role="status" aria-live="polite">
      {props.message}
    </p>
  );
}

/** The page a member sees without the permission a page needs. */
export function PermissionNeeded(props: { permission: string; detail?: string }) {
  return (
    <section class="card" aria-labelledby="permission-title">
      <h1 id="permission-title">Permission needed</h1>
      <p>
        This page needs the <strong>{props.permission}</strong> permission, which your role in this tenant
        does not have. Ask an administrator of the tenant to give your role the {props.permission} permission.
      </p>
      {props.detail ? <p class="muted">{props.detail}</p> : null}
    </section>
  );
}

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'ready'; value: T }
  | { state: 'forbidden'; message: string }
  | { state: 'error'; message: string };

/** Loads data for a page; `reload()` fetches again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (value) => live && setResult({ state: 'ready', value }),
      (err: unknown) =>
        live &&
        setResult(
          isForbidden(err)
            ? { state: 'forbidden', message: describe(err) }
            : { state: 'error', message: describe(err) },
        ),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return [result, reload];
}

/** Renders a load state: a spinner text, the permission page, an error, or the content. */
export function Show<T>(props: {
  loaded: Loaded<T>;
  permission: string;
  children: (value: T) => ComponentChildren;
}) {
  const l = props.loaded;
  if (l.state === 'loading')
    return (
      <p class="muted" role="status">
        Loading…
      </p>
    );
  if (l.state === 'forbidden') return <PermissionNeeded permission={props.permission} detail={l.message} />;
  if (l.state === 'error') return <Notice message={l.message} error />;
  return <>{props.children(l.value)}</>;
}

/** Runs an action with a busy flag and a result message. */
export function useAction(): {
  busy: boolean;
  message: string | null;
  error: boolean;
  run: (work: () => Promise<string | void>) => Promise<void>;
  say: (message: string | null, error?: boolean) => void;
} {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState(false);
  const say = useCallback((m: string | null, e = false) => {
    setMessage(m);
    setError(e);
  }, []);
  const run = useCallback(async (work: () => Promise<string | void>) => {
    setBusy(true);
    say(null);
    try {
      const done = await work();
      if (done) say(done);
    } catch (err) {
      say(describe(err), true);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, message, error, run, say };
}

export const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

export const formatTime = (iso: string | null) =>
  iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '—';
