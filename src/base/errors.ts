/** The message of anything thrown, for events and reports. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
