// Checks a Plan against plan.schema.json. The validator is compiled once, on first use, so
// that commands which never validate do not pay for ajv.

import type { ValidateFunction } from 'ajv/dist/2020.js';
import schema from './plan.schema.json' with { type: 'json' };

let compiled: ValidateFunction | undefined;

async function validator(): Promise<ValidateFunction> {
  if (!compiled) {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    compiled = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
  }
  return compiled;
}

/** The schema's complaints about `plan`, one line each ("/jobs/0/providers/0: must have ..."); empty when it is valid. */
export async function validatePlan(plan: unknown): Promise<string[]> {
  const validate = await validator();
  if (validate(plan)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}

export { schema as planSchema };
