import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`, done by .ci/run); CHROMIUM_PATH overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);

/** The title of a suite that needs Chromium: says why it is skipped when there is none. */
export function chromiumSuiteTitle(name: string): string {
  return HAS_CHROMIUM
    ? name
    : `${name} (SKIPPED: no browser at ${CHROMIUM}; install the Debian package "chromium" or set CHROMIUM_PATH)`;
}

/** Headless Chromium with the background networking this machine's closed network refuses turned off. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
