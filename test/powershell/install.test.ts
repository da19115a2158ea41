// The module installed as PowerShell users install modules: published to a local folder
// repository with Publish-PSResource, installed with Install-PSResource (PSResourceGet ships
// with PowerShell 7.4+), then used from a fresh session, where it finds the `stillpoint` CLI
// on the PATH, or at $env:STILLPOINT_CLI. PowerShell runs in the test's folder: PSResourceGet
// leaves a NuGet/NuGet.Config in its working folder.

import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeWith } from '../support/requirements.ts';
import { pwsh, REPO, runPwsh, PWSH_TEST_TIMEOUT_MS } from '../support/pwsh.ts';

vi.setConfig({ testTimeout: PWSH_TEST_TIMEOUT_MS });

describeWith('Stillpoint module installed with PSResourceGet', [pwsh()], () => {
  let dir: string;
  /** A home of its own: the repository registration and the installed module land there. */
  let home: Record<string, string>;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stillpoint-psresource-'));
    const root = path.join(dir, 'home');
    home = { HOME: root, XDG_DATA_HOME: path.join(root, '.local/share'), XDG_CONFIG_HOME: path.join(root, '.config'), XDG_CACHE_HOME: path.join(root, '.cache'), PSModulePath: '' };
    mkdirSync(home.HOME!);
    mkdirSync(path.join(dir, 'repository'));
    // Publish-PSResource wants the module in a folder named as the module.
    cpSync(path.join(REPO, 'powershell'), path.join(dir, 'source/Stillpoint'), { recursive: true });
    // `stillpoint` on the PATH, as a global install of the package puts it there.
    mkdirSync(path.join(dir, 'bin'));
    writeFileSync(path.join(dir, 'bin/stillpoint'), `#!/bin/sh\nexec '${process.execPath}' '${REPO}/bin/stillpoint.js' "$@"\n`);
    chmodSync(path.join(dir, 'bin/stillpoint'), 0o755);
    writeFileSync(path.join(dir, 'nightly.still'), `job "nightly" {\n  volume "${dir}/source"\n  provider copy\n  target tree "${dir}/backups"\n}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('publishes to a folder repository, installs with Install-PSResource, and works from a fresh session', async () => {
    const install = await runPwsh(
      [
        `$ErrorActionPreference = 'Stop';`,
        `Register-PSResourceRepository -Name StillpointLocal -Uri '${dir}/repository' -Trusted;`,
        `Publish-PSResource -Path '${dir}/source/Stillpoint' -Repository StillpointLocal;`,
        `Install-PSResource Stillpoint -Repository StillpointLocal -Scope CurrentUser;`,
        `$m = Get-InstalledPSResource Stillpoint; 'installed=' + $m.Name + ' ' + $m.Version`,
      ].join(' '),
      home,
      dir,
    );
    expect(install.stderr).toBe('');
    expect(install.stdout.trim()).toBe('installed=Stillpoint 0.1.0');

    // A fresh session: the module loads by itself (auto-loading) from the user's module path.
    const onPath = await runPwsh(
      `$PSStyle.OutputRendering = 'PlainText'; Set-Location '${dir}'; (Get-Command Get-StillpointPlan).Module.ModuleBase; (Get-StillpointPlan nightly.still).Name; (Get-Help about_Stillpoint | Out-String) -match 'STILLPOINT_CLI'`,
      { ...home, PATH: `${path.join(dir, 'bin')}:${process.env.PATH}` },
      dir,
    );
    expect(onPath.stderr).toBe('');
    expect(onPath.stdout.trim().split('\n')).toEqual([path.join(home.HOME!, '.local/share/powershell/Modules/Stillpoint/0.1.0'), 'nightly', 'True']);

    // Without it on the PATH, the module says where it looked; $env:STILLPOINT_CLI points at it.
    const setting = await runPwsh(
      `Set-Location '${dir}'; try { Get-StillpointPlan nightly.still } catch { $_.Exception.Message }; $env:STILLPOINT_CLI = '${dir}/bin/stillpoint'; (Get-StillpointPlan nightly.still).Name`,
      home,
      dir,
    );
    expect(setting.stderr).toBe('');
    expect(setting.stdout.trim().split('\n')).toEqual([expect.stringMatching(/stillpoint CLI was not found: put `stillpoint` on the PATH .* or set \$env:STILLPOINT_CLI/), 'nightly']);
  }, 240_000);
});
