import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Builds the console from its sources with vite into a private folder under .data (never into
 * dist/, which a running service may be serving), so the tests check the code as it is now.
 * Point the app at it with `CONSOLE_DIR`.
 */
export async function buildConsole(): Promise<{ dir: string; remove(): void }> {
  const dir = join(ROOT, '.data', `console-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  const { build } = await import('vite');
  await build({
    configFile: join(ROOT, 'src/console/app/vite.config.ts'),
    logLevel: 'error',
    build: { outDir: dir, emptyOutDir: true },
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Collects what the browser reports about a page: CSP violations and script errors. */
export function watchPage(page: Page): { problems: string[] } {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return { problems };
}

/** Fills the hosted sign-in page of /oauth2/authorize and lands back on the console. */
export async function signInOnHostedPage(page: Page, email: string, password: string): Promise<void> {
  await page.waitForURL((u) => u.pathname === '/oauth2/authorize');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await Promise.all([
    page.waitForURL((u) => u.pathname.startsWith('/console/t/')),
    page.getByRole('button', { name: 'Sign in', exact: true }).click(),
  ]);
}

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core in the page and answers the serious and critical violations (WCAG 2.x A and AA
 * rules and best practices). The console's CSP (script-src 'self') rightly refuses an injected
 * <script> (page.addScriptTag), so axe.min.js is evaluated through the browser's automation
 * protocol instead, which a page's CSP does not govern; the page itself stays under its policy.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(readFileSync(AXE, 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(ctx: Document): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function expectAccessible(page: Page, what: string): Promise<void> {
  const violations = await seriousViolations(page);
  expect(violations, `${what}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

/** Saves a screenshot into CONSOLE_SCREENSHOTS (e.g. docs/images) when that is set; else nothing. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.CONSOLE_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(resolve(ROOT, dir), { recursive: true });
  await page.screenshot({ path: resolve(ROOT, dir, `${name}.png`), fullPage: true });
}
