// Errors of the VSS provider. A VssError names the call, the HRESULT by its vsserror.h name,
// and says what to do. `outcome` separates an operation VSS reported as failed from one that
// was still pending at the snapshot set's deadline (Stillpoint cancelled it) and one that
// someone else cancelled.

import { describeHresult, hex, isFailure } from './hresult.ts';

export type VssOutcome = 'failed' | 'timed-out' | 'cancelled';

export class VssError extends Error {
  readonly operation: string;
  readonly hresult: number | undefined;
  readonly outcome: VssOutcome;

  constructor(operation: string, outcome: VssOutcome, message: string, hresult?: number) {
    super(message);
    this.name = 'VssError';
    this.operation = operation;
    this.outcome = outcome;
    this.hresult = hresult;
  }

  /** The error for an HRESULT that a call returned or an async operation ended with. */
  static fromHresult(operation: string, hr: number, context = ''): VssError {
    const { name, advice } = describeHresult(hr);
    return new VssError(operation, 'failed', `${operation} failed${context}: ${name} (${hex(hr)}). ${advice}`, hr);
  }
}

/** Throws a VssError when hr is a failure code. */
export function check(hr: number, operation: string): void {
  if (isFailure(hr)) throw VssError.fromHresult(operation, hr);
}
