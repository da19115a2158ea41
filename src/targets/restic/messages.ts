import { getSystemErrorName } from 'node:util';

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
