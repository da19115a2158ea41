// Units as every view of a run shows them (plain lines, the TUI, the report), so that a
// number reads the same wherever a person meets it.

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 -> "1.5 KiB": powers of 1024, three significant digits. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${value} B`;
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${BYTE_UNITS[unit]}`;
}

/** 830 -> "0.8 s", 61000 -> "1 m 1 s", 3725000 -> "1 h 2 m". */
export function formatDuration(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 60_000) {
    const tenths = Math.round(ms / 100) / 10;
    return `${tenths < 10 ? tenths.toFixed(1) : Math.round(ms / 1000)} s`;
  }
  const totalSeconds = Math.floor(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return hours > 0 ? `${hours} h ${minutes} m` : `${minutes} m ${seconds} s`;
}

/** As formatDuration, but whole milliseconds below a second ("812 ms"): for the report, where
 * a freeze window or a short stage is read closely. */
export function formatDurationPrecise(ms: number): string {
  return ms < 1000 ? `${Math.round(Math.max(0, ms))} ms` : formatDuration(ms);
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** "42%" of done/total, or undefined when the total is unknown. */
export function formatPercent(done: number, total: number | undefined): string | undefined {
  if (total === undefined || total <= 0) return undefined;
  return `${Math.min(100, Math.floor((done / total) * 100))}%`;
}

/**
 * A copy's totals as the views show them: the known ones, else the estimate (marked "~", and no
 * line of counting beside it), else none.
 */
export function copyTotals(p: { totalBytes?: number; totalFiles?: number; estimatedBytes?: number; estimatedFiles?: number }): { bytes?: number; files?: number; about: '' | '~' } {
  if (p.totalBytes !== undefined || p.estimatedBytes === undefined) return { bytes: p.totalBytes, files: p.totalFiles, about: '' };
  return { bytes: p.estimatedBytes, files: p.estimatedFiles, about: '~' };
}

/**
 * How far a copy is, as the views show it: "X of Y", "N of M files" and the percentage, the
 * total marked as copyTotals gives it; without a total, "X" and "N files" and no percentage.
 */
export function formatCopyAmount(bytesDone: number, filesDone: number, total: ReturnType<typeof copyTotals>): { bytes: string; files: string; percent?: string } {
  const percent = formatPercent(bytesDone, total.bytes);
  return {
    bytes: `${formatBytes(bytesDone)}${total.bytes !== undefined ? ` of ${total.about}${formatBytes(total.bytes)}` : ''}`,
    files: `${filesDone}${total.files !== undefined ? ` of ${total.about}${total.files}` : ''} files`,
    ...(percent && { percent: total.about + percent }),
  };
}

/** While the total of a copy is still being counted, what the scan has found so far. */
export function formatCounting(files: number, bytes: number): string {
  return `counting: ${files} files, ${formatBytes(bytes)} so far`;
}

/** Event time "2026-11-23T09:30:01.234Z" -> "2026-11-23T09:30:01Z" for log lines. */
export function formatLogTime(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}

/**
 * Text that came from outside (hook output, error messages) with terminal control sequences
 * and other control characters removed, so that it cannot move a cursor or recolour a log.
 */
export function printable(text: string): string {
  return stripControls(text);
}

// CSI/OSC sequences first (they carry printable parameters), then any lone control byte.
const ESCAPE_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function stripControls(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '').replace(/\t/g, '  ');
}
