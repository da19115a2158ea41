// A program in a real terminal: a tmux pane of 80x24 on a tmux server of its own, whose
// screen text a test reads as a person would see it.

import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** Escape sequences, or the visible remains of one a terminal did not take (`[?25l`, `[2K`). */
export const STRAY_ESCAPE = /\u001b|\[\?\d+[hl]|\[\d*(;\d+)*[ABCDGHJKm]|\^\[/;

/** Its own socket, so that other tmux sessions on the machine are untouched. */
export class TmuxPane {
  readonly socket = `stillpoint-tui-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  start(commandLine: string, env: Record<string, string>): void {
    const exports = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ');
    // The pane stays after the program exits so that its last screen can be read.
    this.tmux('new-session', '-d', '-s', 'run', '-x', '80', '-y', '24', `env -i ${exports} ${commandLine}; echo "[exit $?]"; sleep 120`);
  }

  capture(): string {
    return this.tmux('capture-pane', '-p', '-t', 'run');
  }

  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.capture();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`the pane never showed ${pattern}; it shows:\n${screen}`);
      await sleep(50);
    }
  }

  cursorVisible(): boolean {
    return this.tmux('display-message', '-p', '-t', 'run', '#{cursor_flag}').trim() === '1';
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
  }
}

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A clean environment for the pane: no CI variables (Ink draws no live frames under CI). */
export function paneEnvironment(): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', TERM: 'tmux-256color' };
}

