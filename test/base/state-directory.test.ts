import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateDirectory } from '../../src/base/state-directory.ts';

describe('stateDirectory', () => {
  it('takes STILLPOINT_STATE_DIR first, then /var/lib as root, then the XDG state home', () => {
    expect(stateDirectory({ STILLPOINT_STATE_DIR: '/x/y' }, 0, 'linux')).toBe('/x/y');
    expect(stateDirectory({}, 0, 'linux')).toBe('/var/lib/stillpoint');
    expect(stateDirectory({ XDG_STATE_HOME: '/home/a/.st' }, 1000, 'linux')).toBe('/home/a/.st/stillpoint');
    expect(stateDirectory({}, 1000, 'linux')).toBe(posix.join(homedir(), '.local', 'state', 'stillpoint'));
  });

  it('is %ProgramData%\\Stillpoint on Windows, for every account (a task runs as SYSTEM or a Backup Operator)', () => {
    expect(stateDirectory({ ProgramData: 'C:\\ProgramData', LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local' }, undefined, 'win32')).toBe('C:\\ProgramData\\Stillpoint');
    expect(stateDirectory({ ProgramData: 'D:\\Données communes\\' }, undefined, 'win32')).toBe('D:\\Données communes\\Stillpoint');
    expect(stateDirectory({ SystemDrive: 'E:' }, undefined, 'win32')).toBe('E:\\ProgramData\\Stillpoint');
    expect(stateDirectory({}, undefined, 'win32')).toBe('C:\\ProgramData\\Stillpoint');
    expect(stateDirectory({ STILLPOINT_STATE_DIR: 'C:\\stillpoint-ci\\state', ProgramData: 'C:\\ProgramData' }, undefined, 'win32')).toBe('C:\\stillpoint-ci\\state');
  });

  it('is where this process puts its state by default', () => {
    const expected = process.platform === 'win32' ? win32.join(process.env.ProgramData!, 'Stillpoint') : stateDirectory(process.env, process.getuid?.(), 'linux');
    expect(stateDirectory({ ...process.env, STILLPOINT_STATE_DIR: '' })).toBe(expected);
  });
});
