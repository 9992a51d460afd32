import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The house rules of docs/architecture.md, checked on every import of src/: dependencies point one
 * way (features -> core -> foundation); a feature never imports another feature; in the core,
 * tokens may use identity and notifications, identity may use notifications, notifications
 * neither. The entry points (main.ts, app.module.ts, openapi.ts, cli/) wire everything.
 */
const FOUNDATION = ['common', 'config', 'database'];
const CORE = ['tokens', 'identity', 'notifications']; // each may import only those after it
const FEATURES = [
  'admin',
  'console',
  'headless-login',
  'headless-member',
  'health',
  'login-activity',
  'oauth2',
  'otp',
  'passkeys',
  'password',
  'signup',
  'social',
];
const ENTRY_POINTS = ['cli'];

const SRC = join(import.meta.dirname, '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return path === join(SRC, 'console', 'app') ? [] : sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The top folder of src/ a path lies in (undefined for files directly in src/). */
function area(path: string): string | undefined {
  const parts = relative(SRC, path).split('/');
  return parts.length > 1 ? parts[0] : undefined;
}

function violation(from: string, to: string): string | undefined {
  if (from === to) return undefined;
  if (ENTRY_POINTS.includes(from)) return undefined;
  if (FOUNDATION.includes(from) && !FOUNDATION.includes(to)) return 'the foundation imports nothing above it';
  if (CORE.includes(from)) {
    if (FEATURES.includes(to)) return 'the core imports no feature';
    if (CORE.includes(to) && CORE.indexOf(to) < CORE.indexOf(from)) return `${from} comes after ${to}`;
  }
  if (FEATURES.includes(from) && (FEATURES.includes(to) || ENTRY_POINTS.includes(to))) {
    return 'a feature never imports another feature';
  }
  return undefined;
}

describe('layers (docs/architecture.md)', () => {
  const files = sources(SRC);

  it('every folder of src/ has a place in the layers', () => {
    const known = [...FOUNDATION, ...CORE, ...FEATURES, ...ENTRY_POINTS];
    const folders = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory());
    expect(folders.filter((f) => !known.includes(f))).toEqual([]);
  });

  it('no import crosses the layers the wrong way', () => {
    const found: string[] = [];
    for (const file of files) {
      const from = area(file);
      if (!from) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = normalize(join(dirname(file), m[1]!));
        const to = area(target);
        const why = to && violation(from, to);
        if (why) found.push(`${relative(SRC, file)} -> ${relative(SRC, target)}: ${why}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('catches a crossing (the check itself works)', () => {
    expect(violation('password', 'otp')).toBeDefined();
    expect(violation('tokens', 'oauth2')).toBeDefined();
    expect(violation('notifications', 'identity')).toBeDefined();
    expect(violation('common', 'tokens')).toBeDefined();
    expect(violation('oauth2', 'tokens')).toBeUndefined();
    expect(violation('tokens', 'identity')).toBeUndefined();
  });
});
