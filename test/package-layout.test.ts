// The checkout's side of the two layouts (src/package-layout.ts): the package root is the
// checkout, every separate entry point resolves to a source file that exists, and no module
// finds another by a path of its own (in dist/ neither the .ts file nor its folder exists).
// The built side is tested through the installed package (test/system/installed-package.test.ts).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENTRY_POINTS, PACKAGE_ROOT, entryPointFile } from '../src/package-layout.ts';

describe('package layout, in a checkout', () => {
  it('finds the package root and the source of every entry point', () => {
    expect(JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).name).toBe('stillpoint');
    for (const entry of ENTRY_POINTS) {
      expect(entryPointFile(entry)).toBe(join(PACKAGE_ROOT, 'src', `${entry}.ts`));
      expect(existsSync(entryPointFile(entry)), entry).toBe(true);
    }
  });

  it('is the only module that finds files relative to its own URL', () => {
    const src = join(PACKAGE_ROOT, 'src');
    const relative = readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && file !== 'package-layout.ts')
      .filter((file) => /new URL\(\s*['"`]\.|import\.meta\.(dirname|filename)/.test(readFileSync(join(src, file), 'utf8')));
    expect(relative).toEqual([]);
  });
});
