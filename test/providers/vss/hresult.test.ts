// Every HRESULT in vsserror.h has a name and advice in the binding's table, with the right code.

import { expect, it } from 'vitest';
import { parseHresultDefines, readHeader } from '../../../native/vss-header.ts';
import { describeHresult, hex, hresultTable } from '../../../src/providers/vss/hresult.ts';
import { describeWith } from '../../support/requirements.ts';
import { mingwHeaders } from './double.ts';

describeWith('VSS HRESULT table against vsserror.h', [mingwHeaders()], () => {
  const defined = parseHresultDefines(readHeader('vsserror.h'), ['VSS_E_', 'VSS_S_']);

  it('finds the codes in the header', () => {
    expect(defined.size).toBeGreaterThan(80);
  });

  it('names every VSS_E_ and VSS_S_ code with its header value', () => {
    const byName = new Map([...hresultTable()].map(([code, info]) => [info.name, code]));
    const missing = [...defined].filter(([name, code]) => byName.get(name) !== code).map(([name, code]) => `${name} ${hex(code)}`);
    expect(missing).toEqual([]);
  });

  it('has no VSS entry the header does not define', () => {
    const extra = [...hresultTable().values()].filter((i) => /^VSS_[ES]_/.test(i.name) && !defined.has(i.name));
    expect(extra).toEqual([]);
  });

  it('gives each failure a sentence that tells what to do', () => {
    for (const [code, info] of hresultTable()) {
      expect(info.advice.length, info.name).toBeGreaterThan(25);
      if (code < 0) expect(info.advice, info.name).toMatch(/[.;)]$/);
    }
  });

  it('says what to fix for the errors users meet most', () => {
    expect(describeHresult(0x80070005).advice).toMatch(/elevated|Backup Operators/);
    expect(describeHresult(0x8004231f).advice).toMatch(/vssadmin resize shadowstorage/);
    expect(describeHresult(0x80042316).advice).toMatch(/Another snapshot set/);
    expect(describeHresult(0x800423f2).advice).toMatch(/timed out/);
    expect(describeHresult(0x12345678)).toMatchObject({ name: '0x12345678' });
  });
});
