import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The documentation a clone carries (README.md, docs/, the SDK's README) must hold together:
 * every relative link resolves inside the repository, down to the heading it names, and links
 * that leave the repository go only to public standards and providers' documentation.
 */
const ROOT = resolve(import.meta.dirname, '..');

/** Hosts a link may leave the repository for: standards bodies, then providers' documentation. */
const ALLOWED_HOSTS = new Set([
  'www.rfc-editor.org',
  'datatracker.ietf.org',
  'openid.net',
  'www.w3.org',
  'w3c.github.io',
  'docs.oasis-open.org',
  'developers.google.com',
  'learn.microsoft.com',
  'docs.aws.amazon.com',
  'www.keycloak.org',
  'developer.apple.com',
  'developers.facebook.com',
  // A running development service (quick start): not a link out of the repository.
  'localhost',
]);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

const FILES = [
  join(ROOT, 'README.md'),
  join(ROOT, 'libs/sdk/README.md'),
  ...markdownFiles(join(ROOT, 'docs')),
];

/** The text without fenced code blocks and inline code, where brackets are not links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

function links(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const auto = [...text.matchAll(/<((?:https?|mailto):[^>\s]+)>/g)].map((m) => m[1]!);
  const references = [...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]!);
  return [...inline, ...auto, ...references];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, -1, -2 for repeats. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const match of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = match[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`/g, '');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.add(count ? `${base}-${count}` : base);
  }
  return out;
}

describe('documentation links', () => {
  it('covers the README, docs/ and the SDK README', () => {
    const names = FILES.map((f) => relative(ROOT, f));
    expect(names).toEqual(expect.arrayContaining(['README.md', 'libs/sdk/README.md', 'docs/README.md']));
    expect(names.length).toBeGreaterThan(10);
  });

  for (const file of FILES) {
    const name = relative(ROOT, file);

    it(`${name}: every link resolves in the repository or goes to an allowed host`, () => {
      const markdown = readFileSync(file, 'utf8');
      const problems: string[] = [];
      for (const target of links(markdown)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
          const url = new URL(target);
          const local = url.hostname === 'localhost' && url.protocol === 'http:';
          if (!local && url.protocol !== 'https:') problems.push(`${target}: not https`);
          else if (!ALLOWED_HOSTS.has(url.hostname)) problems.push(`${target}: leaves the repository`);
          continue;
        }
        const [path, fragment] = target.split('#') as [string, string | undefined];
        if (path.startsWith('/')) {
          problems.push(`${target}: an absolute path (use a path relative to ${name})`);
          continue;
        }
        const resolved = path ? resolve(dirname(file), decodeURIComponent(path)) : file;
        const inside = relative(ROOT, resolved);
        if (inside.startsWith('..') || inside.includes('node_modules')) {
          problems.push(`${target}: outside the repository`);
          continue;
        }
        if (!existsSync(resolved)) {
          problems.push(`${target}: no such file`);
          continue;
        }
        if (fragment && resolved.endsWith('.md') && !anchors(readFileSync(resolved, 'utf8')).has(fragment)) {
          problems.push(`${target}: no heading "#${fragment}" in ${relative(ROOT, resolved)}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it('speaks to a stranger: no internal notes, tickets or files outside the repository', () => {
    const exempt = new Set<string>();
    const problems: string[] = [];
    for (const file of FILES) {
      const name = relative(ROOT, file);
      if (exempt.has(name)) continue;
      const text = readFileSync(file, 'utf8');
      for (const pattern of [
        /\bseeds? \d{3}\b/i,
        /\bissues? \d+\b/i,
        /\b(?:API|DESIGN|STACK-NOTES)\.md\b/,
        /\.\.\/shared\//,
      ]) {
        const found = text.match(pattern);
        if (found) problems.push(`${name}: "${found[0]}"`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('finds broken links (checks the checker)', () => {
    expect(
      links('[a](docs/x.md#y) `[b](c.md)` <https://openid.net/>\n```\n[d](e.md)\n```\n[r]: f.md'),
    ).toEqual(['docs/x.md#y', 'https://openid.net/', 'f.md']);
    expect(anchors('# Quick start\n## The `GET /` route\n## Quick start\n## A, B & C')).toEqual(
      new Set(['quick-start', 'the-get--route', 'quick-start-1', 'a-b--c']),
    );
  });
});
