// The test double's vtables, read the way the binding reads them: slot N of each object the
// double hands out holds the double's function for method N of the header's vtable. With the
// slot-table test (binding = header), this closes the loop binding = header = double.

import koffi from 'koffi';
import { beforeAll, expect, it } from 'vitest';
import { ComObject, VssApi, outPointer } from '../../../src/providers/vss/com.ts';
import { initializeCom } from '../../../src/providers/vss/requester.ts';
import { VTABLES, type InterfaceName } from '../../../src/providers/vss/slots.ts';
import { describeWith } from '../../support/requirements.ts';
import { DOUBLE_LIBRARY, buildDouble, doubleRequirements, useDouble } from './double.ts';

function slots(object: bigint, count: number): bigint[] {
  const vtable = koffi.decode(object, 'void *') as bigint;
  return Array.from({ length: count }, (_, i) => koffi.decode(vtable, i * koffi.sizeof('void *'), 'void *') as bigint);
}

describeWith('the ABI double\'s vtable layout', doubleRequirements(), () => {
  beforeAll(() => buildDouble(), 120_000);

  it('has, in every slot of every interface, the function of that method', async () => {
    const env = await useDouble({ writers: [['Stable Writer', 'stable']], asyncMs: 5 });
    const lib = koffi.load(DOUBLE_LIBRARY);
    const api = new VssApi({ vssapi: DOUBLE_LIBRARY, ole32: DOUBLE_LIBRARY, oleaut32: DOUBLE_LIBRARY });
    initializeCom(api, { warn: () => {} });
    const components = api.createBackupComponents();
    const objects: Partial<Record<InterfaceName, bigint>> = {};
    try {
      // Reach one object of each interface through the binding's own calls.
      components.invoke('InitializeForBackup', null);
      components.invoke('SetContext', 0);
      const box: unknown[] = [null];
      components.invoke('GatherWriterMetadata', box);
      objects.IVssAsync = outPointer(box)!;
      const operation = new ComObject('IVssAsync', objects.IVssAsync);
      await operation.callOnWorker('Wait', 5_000);
      const metadataBox: unknown[] = [null];
      components.invoke('GetWriterMetadata', 0, {}, metadataBox);
      objects.IVssExamineWriterMetadata = outPointer(metadataBox)!;
      const metadata = new ComObject('IVssExamineWriterMetadata', objects.IVssExamineWriterMetadata);
      const componentBox: unknown[] = [null];
      metadata.invoke('GetComponent', 0, componentBox);
      objects.IVssWMComponent = outPointer(componentBox)!;
      const component = new ComObject('IVssWMComponent', objects.IVssWMComponent);
      const create = lib.func('int32_t CreateVssBackupComponentsInternal(_Out_ void **ppBackup)');
      const created: unknown[] = [null];
      expect(create(created)).toBe(0);
      objects.IVssBackupComponents = outPointer(created)!;

      for (const iface of Object.keys(VTABLES) as InterfaceName[]) {
        const methods = VTABLES[iface];
        const found = slots(objects[iface]!, methods.length);
        expect(new Set(found).size, `${iface}: one distinct function per slot`).toBe(methods.length);
        expect(found, iface).toEqual(methods.map((m) => lib.symbol(`${iface}_${m}`)));
      }
      component.release();
      metadata.release();
      operation.release();
      new ComObject('IVssBackupComponents', objects.IVssBackupComponents).release();
    } finally {
      components.release();
      await env.dispose();
    }
  });
});
