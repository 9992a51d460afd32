/** Style sheets are bundled by vite (no inline styles: the page's CSP is style-src 'self'). */
declare module '*.css';
