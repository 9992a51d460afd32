/** What the server wrote into `<meta name="console-config">` (src/console/console-assets.ts). */
export interface PageConfig {
  baseUrl: string;
  basePath: string;
  tenant: Tenant | null;
  clientId: string | null;
  redirectUri: string;
  signedOutUrl: string;
  error: 'unknown-tenant' | 'not-found' | null;
}

export interface Tenant {
  id: string;
  key: string;
  name: string;
}

export function readPageConfig(): PageConfig {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="console-config"]');
  if (meta?.content) return JSON.parse(meta.content) as PageConfig;
  // The page was opened without the server (vite preview): same origin, no tenant.
  const origin = location.origin;
  return {
    baseUrl: origin,
    basePath: '',
    tenant: null,
    clientId: null,
    redirectUri: `${origin}/console/callback`,
    signedOutUrl: `${origin}/console/signed-out`,
    error: null,
  };
}

/** `/console` under PUBLIC_URL's path. */
export const consoleRoot = (config: PageConfig) => `${config.basePath}/console`;

/** The URL of a tenant's console page (`sub` like `users/<id>`, '' for the dashboard). */
export const tenantPath = (config: PageConfig, key: string, sub = '') =>
  `${consoleRoot(config)}/t/${encodeURIComponent(key)}/${sub}`;
