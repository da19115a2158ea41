// The trees kept for runs (language/parse-cache.ts): found again only for the same file and
// text, equal to what the parser gives, and harmless when damaged or unwritable.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCacheIn } from '../../src/language/parse-cache.ts';
import { parse } from '../../src/language/parse.ts';

const dir = mkdtempSync(join(tmpdir(), 'stillpoint-parse-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = 'let root = "/srv"\njob j {\n  volume "${root}/data"\n  provider btrfs copy\n  target tree "/backups" {\n    keep last 3\n  }\n}\n';

describe('parse cache', () => {
  it('gives back the tree and the diagnostics the parser gave, for the same file and text only', () => {
    const cache = parseCacheIn(join(dir, 'a'));
    const text = `${SCRIPT}job {\n`; // a syntax error: its diagnostic is kept too
    const parsed = parse(text, 'main.still');
    expect(parsed.diagnostics.length).toBeGreaterThan(0);
    expect(cache.read('main.still', text)).toBeUndefined();
    cache.write('main.still', text, parsed);
    expect(cache.read('main.still', text)).toEqual(JSON.parse(JSON.stringify(parsed)));
    expect(cache.read('main.still', `${text} `)).toBeUndefined();
    expect(cache.read('other.still', text)).toBeUndefined();
  });

  it('keeps one entry per file: a changed script replaces its tree', () => {
    const cache = parseCacheIn(join(dir, 'b'));
    cache.write('main.still', SCRIPT, parse(SCRIPT, 'main.still'));
    const changed = SCRIPT.replace('last 3', 'last 4');
    cache.write('main.still', changed, parse(changed, 'main.still'));
    expect(readdirSync(join(dir, 'b'))).toHaveLength(1);
    expect(cache.read('main.still', SCRIPT)).toBeUndefined();
    expect(cache.read('main.still', changed)).toEqual(JSON.parse(JSON.stringify(parse(changed, 'main.still'))));
  });

  it('a damaged entry is a miss, and a cache it cannot write is no error', () => {
    const cache = parseCacheIn(join(dir, 'c'));
    cache.write('main.still', SCRIPT, parse(SCRIPT, 'main.still'));
    const [entry] = readdirSync(join(dir, 'c'));
    writeFileSync(join(dir, 'c', entry!), '{"key": "trunc');
    expect(cache.read('main.still', SCRIPT)).toBeUndefined();
    writeFileSync(join(dir, 'blocked'), '');
    expect(() => parseCacheIn(join(dir, 'blocked', 'cache')).write('main.still', SCRIPT, parse(SCRIPT, 'main.still'))).not.toThrow();
  });
});
