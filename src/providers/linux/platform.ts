// What every Linux provider checks before anything else, and says the same way.

import type { Availability } from '../provider.ts';

export function needsLinux(provider: string): Availability | undefined {
  if (process.platform !== 'linux') return { available: false, reason: `${provider} works on Linux only (this is ${process.platform})` };
  return undefined;
}

export function needsLinuxRoot(provider: string, why: string): Availability | undefined {
  const linux = needsLinux(provider);
  if (linux) return linux;
  if (process.getuid?.() !== 0) return { available: false, reason: `${provider} needs root: ${why}` };
  return undefined;
}
