import { describe, expect, it } from 'vitest';
import { BASE, errors } from './helpers.ts';
import { argumentGroups, boolArgument, durationArgument, listArgument, plainText, wholeNumber, wordArgument } from '../../src/plan/arguments.ts';
import { statementOf } from './unit.ts';

describe('types', () => {
  it('reports a non-whole count and a zero timeout', async () => {
    expect(await errors(`job j {\n  ${BASE}\n  freeze-timeout 0s\n}`)).toEqual(['error invalid-duration 5:18-5:20 `freeze-timeout` must be longer than zero']);
    expect(await errors(`job j {\n  volume "/srv"\n  provider copy\n  target tree "/b" { keep last 1.5 }\n}`)).toEqual(['error invalid-number 4:32-4:35 expected a whole number of at least 1, found `1.5`']);
  });
});

describe('job statements and their defaults', () => {
  it('reports missing and extra arguments', async () => {
    expect(await errors(`job j {\n  ${BASE}\n  freeze-timeout\n}`)).toEqual(['error missing-argument 5:3-5:17 `freeze-timeout` needs a DURATION']);
    expect(await errors(`job j {\n  ${BASE}\n  backup-type full, copy\n}`)).toEqual(['error unexpected-argument 5:21-5:25 `backup-type` takes one argument']);
  });
});

describe('arguments on their own', () => {
  it('reads one argument by the shape of its statement', () => {
    const timeout = statementOf('  freeze-timeout 20s');
    expect(durationArgument(timeout.ev, timeout.setting, timeout.spec, timeout.ctx)).toBe(20_000);
    const flag = statementOf('  one-file-system');
    expect(boolArgument(flag.ev, flag.setting, flag.spec, flag.ctx)).toBe(true);
    const type = statementOf('  backup-type incremental');
    expect(wordArgument(type.ev, type.setting, type.spec, type.ctx)).toBe('incremental');
  });

  it('reads a list, flattening list values, and asks for commas between items', () => {
    const list = statementOf('  exclude "a", ["b", "c"]');
    expect(listArgument(list.ev, list.setting, list.spec, list.ctx)?.map((v) => (v as { value: string }).value)).toEqual(['a', 'b', 'c']);
    const noComma = statementOf('  exclude "a" "b"');
    expect(argumentGroups(noComma.ev, noComma.setting, noComma.spec)).toBeUndefined();
    expect(noComma.ev.diagnostics.map((d) => d.code)).toEqual(['missing-comma']);
  });

  it('refuses a secret where the text is printed, and a count that is not whole', () => {
    const { ev, setting } = statementOf('  backup-type "x"');
    expect(plainText(ev, { type: 'string', value: 'pw', shown: '***' }, setting.args[0]![0]!, 'a word')).toBeUndefined();
    expect(wholeNumber(ev, 1.5, setting.args[0]![0]!, 1)).toBeUndefined();
    expect(wholeNumber(ev, 2, setting.args[0]![0]!, 1)).toBe(2);
    expect(ev.diagnostics.map((d) => d.code)).toEqual(['secret-not-allowed', 'invalid-number']);
  });
});
