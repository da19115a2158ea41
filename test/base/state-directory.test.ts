import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateDirectory } from '../../src/base/state-directory.ts';

describe('stateDirectory', () => {
  it('takes STILLPOINT_STATE_DIR first, then /var/lib as root, then the XDG state home', () => {
    expect(stateDirectory({ STILLPOINT_STATE_DIR: '/x/y' }, 0)).toBe('/x/y');
    expect(stateDirectory({}, 0)).toBe('/var/lib/stillpoint');
    expect(stateDirectory({ XDG_STATE_HOME: '/home/a/.st' }, 1000)).toBe('/home/a/.st/stillpoint');
    expect(stateDirectory({}, 1000)).toBe(join(homedir(), '.local', 'state', 'stillpoint'));
  });
});
