@{
    RootModule           = 'Stillpoint.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f2b8c1e-4d7a-4f3b-9a61-2b0c6e5d9a41'
    Author               = 'Stillpoint developers'
    CompanyName          = 'Stillpoint'
    Copyright            = '(c) Stillpoint developers'
    Description          = 'Consistent point-in-time backups from declarative .still scripts: run, check, plan, list, restore and verify from PowerShell pipelines. Needs the stillpoint CLI (on PATH, or $env:STILLPOINT_CLI).'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('Stillpoint.Format.ps1xml')
    FunctionsToExport    = @(
        'Invoke-Stillpoint'
        'Test-StillpointScript'
        'Get-StillpointPlan'
        'Get-StillpointProvider'
        'Get-StillpointSnapshot'
        'Restore-StillpointSnapshot'
        'Test-StillpointSnapshot'
        'Get-StillpointWriter'
        'Remove-StillpointLeftover'
        'Get-StillpointSchedule'
        'Register-StillpointSchedule'
        'Unregister-StillpointSchedule'
        'Format-StillpointScript'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('backup', 'snapshot', 'vss', 'btrfs', 'restic', 'PSEdition_Core', 'PSEdition_Desktop', 'Linux', 'Windows')
            # ProjectUri: the project has no public address yet; add it here when it has one.
            LicenseUri   = 'https://opensource.org/license/mit'
            ReleaseNotes = '0.1.0: one result per run (events with -IncludeEvent), failed runs as non-terminating errors, PowerShell paths (-LiteralPath, wildcards, PSDrives), one object per snapshot, graceful stop, commands for cleanup, writers, schedule and fmt.'
        }
    }
}
