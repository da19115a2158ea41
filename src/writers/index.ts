// Makes the writer of a plan entry. Each kind is imported only when a script uses it, so that
// `pg` (say) is loaded only for postgres writers.

import type { WriterPlan } from '../plan/types.ts';
import type { SecretStore } from '../base/secret.ts';
import type { Writer } from './writer.ts';

export async function createWriter(plan: WriterPlan, secrets: SecretStore): Promise<Writer> {
  switch (plan.kind) {
    case 'sqlite':
      return new (await import('./sqlite.ts')).SqliteWriter(plan);
    case 'postgres':
      return new (await import('./postgres.ts')).PostgresWriter(plan, secrets);
    case 'process':
      return new (await import('./process.ts')).ProcessWriter(plan);
    case 'command':
      return new (await import('./command.ts')).CommandWriter(plan, secrets);
  }
}
