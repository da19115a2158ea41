@{
    RootModule           = 'Stillpoint.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f2b8c1e-4d7a-4f3b-9a61-2b0c6e5d9a41'
    Author               = 'Stillpoint developers'
    Description          = 'Consistent point-in-time backups from declarative .still scripts: run, check, plan, list, restore and verify from PowerShell pipelines.'
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
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('backup', 'snapshot', 'vss', 'btrfs', 'restic')
        }
    }
}
