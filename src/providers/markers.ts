// Every snapshot Stillpoint creates carries a marker in its name, so that `cleanup` (and the
// next run of the job) can find what a killed run left behind and release it, and nothing else.
//
// A marker is `stillpoint-<job>.<runId>`, or `stillpoint-<job>.<runId>.<qualifier>` where one run
// needs several names in one namespace (LVM: one snapshot per origin volume of a volume group,
// qualified by the origin's name). Job names are any quoted string and may contain `-`,
// so the job and the run id are encoded to the characters every provider accepts in a name
// (LVM: [A-Za-z0-9+_.-], ZFS: [A-Za-z0-9_.:-], btrfs: anything but `/`): letters, digits and
// `-` stay; every other byte, `_` and `.` included, becomes `_` and two lowercase hex digits.
// After encoding, `.` appears only as the separator, so a marker parses back unambiguously and
// the markers of job "nightly" never match those of job "nightly-db".

const PREFIX = 'stillpoint-';
const SEPARATOR = '.';
/** Short enough for an LVM logical volume name (127) with room for a volume group prefix. */
const MAX_MARKER_LENGTH = 120;

function encode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9-]/.test(char) ? char : `_${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function decode(text: string): string | undefined {
  if (!/^(?:[A-Za-z0-9-]|_[0-9a-f]{2})*$/.test(text)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '_') {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(text.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The snapshot name for one run of one job (and, where given, one origin of it). */
export function snapshotMarker(job: string, runId: string, qualifier?: string): string {
  if (job === '' || runId === '' || qualifier === '') throw new Error('a snapshot marker needs a job name and a run id');
  const marker = PREFIX + encode(job) + SEPARATOR + encode(runId) + (qualifier === undefined ? '' : SEPARATOR + encode(qualifier));
  if (marker.length > MAX_MARKER_LENGTH) {
    throw new Error(
      `the snapshot name for job "${job}" and run "${runId}" would be ${marker.length} characters, ` +
        `more than the ${MAX_MARKER_LENGTH} snapshot tools accept: give the job a shorter name`,
    );
  }
  return marker;
}

/** What a snapshot name carries, or undefined when it is not a Stillpoint marker. */
export function parseMarker(name: string): { job: string; runId: string; qualifier?: string } | undefined {
  if (!name.startsWith(PREFIX)) return undefined;
  const parts = name.slice(PREFIX.length).split(SEPARATOR).map(decode);
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => !part)) return undefined;
  const [job, runId, qualifier] = parts as string[];
  return qualifier === undefined ? { job: job!, runId: runId! } : { job: job!, runId: runId!, qualifier };
}

/** Whether a snapshot name is a marker of this job (of any run). */
export function isMarkerOf(name: string, job: string): boolean {
  return parseMarker(name)?.job === job;
}
