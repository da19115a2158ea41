// Running the command-line tools of the lvm and zfs providers: argv only (no shell), and a
// failure that names the command line and what the tool printed.

import { execFile } from 'node:child_process';

export class ToolError extends Error {
  readonly stderr: string;
  readonly exitCode: number | undefined;

  constructor(argv: string[], exitCode: number | undefined, stderr: string, cause?: unknown) {
    const missing = (cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    super(
      missing
        ? `${argv[0]} is not installed or not on PATH`
        : `\`${argv.join(' ')}\` failed${exitCode === undefined ? '' : ` (exit ${exitCode})`}: ${stderr.trim() || 'no message'}`,
    );
    this.name = 'ToolError';
    this.stderr = stderr;
    this.exitCode = exitCode;
  }
}

export function runTool(program: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { signal, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const exitCode = typeof error.code === 'number' ? error.code : undefined;
      reject(new ToolError([program, ...args], exitCode, stderr, error));
    });
  });
}

/** Whether a program is on PATH (without running it). */
export async function onPath(program: string): Promise<boolean> {
  try {
    await runTool('sh', ['-c', 'command -v "$1"', 'sh', program]);
    return true;
  } catch {
    return false;
  }
}
