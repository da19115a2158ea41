// Colours by meaning, and none at all under NO_COLOR (https://no-color.org).

import { createContext, useContext } from 'react';

export type Tone = 'good' | 'bad' | 'warn' | 'busy' | 'dim' | 'accent';

const COLORS: Record<Tone, string> = {
  good: 'green',
  bad: 'red',
  warn: 'yellow',
  busy: 'cyan',
  dim: 'gray',
  accent: 'magenta',
};

export const NoColor = createContext(false);

/** Props for an Ink <Text> of this tone: a colour, or nothing when colour is off. */
export function useTone(): (tone: Tone | undefined) => { color?: string } {
  const noColor = useContext(NoColor);
  return (tone) => (noColor || tone === undefined ? {} : { color: COLORS[tone] });
}
