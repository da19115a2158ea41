import { getSystemErrorName } from 'node:util';
import { formatBytes } from '../../report/format.ts';

// restic's JSON messages (`restic backup --json`), as documented in restic's scripting
// guide: one object per line on stdout, told apart by `message_type`.

export interface ResticStatus {
  message_type: 'status';
  percent_done: number;
  total_files?: number;
  files_done?: number;
  total_bytes?: number;
  bytes_done?: number;
  error_count?: number;
}

export interface ResticSummary {
  message_type: 'summary';
  files_new: number;
  files_changed: number;
  files_unmodified: number;
  dirs_new: number;
  dirs_changed: number;
  dirs_unmodified: number;
  data_added: number;
  total_files_processed: number;
  total_bytes_processed: number;
  total_duration: number;
  snapshot_id: string;
}

export interface ResticError {
  message_type: 'error';
  /** restic 0.14 sends Go's *PathError as {Op, Path, Err: errno}; later versions {message}. */
  error: { message?: string; Op?: string; Err?: number } | string;
  during: string;
  item: string;
}

export type ResticMessage = ResticStatus | ResticSummary | ResticError | { message_type: string };

export function parseMessage(line: string): ResticMessage | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as ResticMessage;
    return typeof value.message_type === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function errorText(message: ResticError): string {
  const error = message.error;
  if (typeof error === 'string') return error;
  if (error.message) return error.message;
  if (error.Op && typeof error.Err === 'number') return `${error.Op}: ${errnoName(error.Err)}`;
  return JSON.stringify(error);
}

function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-errno);
  } catch {
    return `errno ${errno}`;
  }
}

/**
 * Progress for the stall rule during `restic backup`: a status whose bytes or files went
 * beyond the most seen so far, or the summary. `describe` says where it stood, for the error.
 */
export function statusProgress(): { advanced: (line: string) => boolean; describe: () => string } {
  let bytes = -1;
  let files = -1;
  let last: ResticStatus | undefined;
  return {
    advanced(line) {
      const message = parseMessage(line);
      if (message?.message_type === 'summary') return true;
      if (message?.message_type !== 'status') return false;
      const status = (last = message as ResticStatus);
      const advanced = (status.bytes_done ?? 0) > bytes || (status.files_done ?? 0) > files;
      bytes = Math.max(bytes, status.bytes_done ?? 0);
      files = Math.max(files, status.files_done ?? 0);
      return advanced;
    },
    describe() {
      if (!last) return 'it had not reported any status';
      const total = last.total_bytes === undefined ? '' : ` of ${formatBytes(last.total_bytes)}`;
      return `its status stayed at ${formatBytes(last.bytes_done ?? 0)}${total}, ${last.files_done ?? 0} files`;
    },
  };
}

/**
 * Progress for restic's text output (forget, prune): a line that differs from the one
 * before once its elapsed-time prefix ("[0:05]") is set aside.
 */
export function textProgress(): (line: string) => boolean {
  let previous: string | undefined;
  return (line) => {
    const text = line.replace(/^\[[\d:]+\]\s*/, '');
    const changed = text !== previous;
    previous = text;
    return changed;
  };
}
