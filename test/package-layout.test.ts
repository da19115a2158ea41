// The checkout's side of the two layouts (src/package-layout.ts): the package root is the
// checkout and every separate entry point resolves to a source file that exists. The built
// side is tested through the installed package (test/system/installed-package.test.ts).

import { existsSync, readFileSync } from 'node:fs';
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
});
