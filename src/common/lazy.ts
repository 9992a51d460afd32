/**
 * A module loaded on first use instead of at start-up (start-up imports only what serves requests;
 * a library used by one kind of request, such as WebAuthn or SAML, is loaded by the first of them).
 * The load runs once; a failed load is retried by the next call.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
}
