/**
 * An allowed origin as browsers send it in `Origin`: lower-case scheme and host, no default port,
 * no trailing slash. Custom app schemes (capacitor://localhost) keep `scheme://host[:port]`.
 */
export function normalizeOrigin(origin: string): string {
  try {
    const url = new URL(origin);
    return url.origin !== 'null' ? url.origin : `${url.protocol}//${url.host}`.toLowerCase();
  } catch {
    return origin.replace(/\/+$/, '');
  }
}
