import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from './harness.ts';

let harness: ApiHarness;

beforeAll(async () => {
  harness = await ApiHarness.start();
}, 60_000);

afterAll(async () => {
  await harness.stop();
});

function rows(output: string): string[][] {
  return output.trim().split('\n').map((line) => line.trim().split(/\s{2,}/));
}

describe('StorageClass as k3s ships it', () => {
  it('has the default local-path class from the start, shown as kubectl shows classes', async () => {
    const table = rows(await harness.kubectlOk(['get', 'storageclass']));
    expect(table[0]).toEqual(['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE']);
    expect(table[1]?.slice(0, 5)).toEqual(['local-path (default)', 'flotilla.io/local-path', 'Delete', 'WaitForFirstConsumer', 'false']);
    expect(await harness.kubectlOk(['get', 'sc', 'local-path', '-o', 'jsonpath={.metadata.annotations}'])).toContain('"storageclass.kubernetes.io/is-default-class":"true"');
  });

  it('defaults a new class, refuses changes to what its volumes were made with, and validates', async () => {
    await harness.kubectlOk(['apply', '-f', '-'], { input: 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: manual}\nprovisioner: kubernetes.io/no-provisioner\n' });
    expect(rows(await harness.kubectlOk(['get', 'sc', 'manual', '--no-headers']))[0]?.slice(0, 5)).toEqual(['manual', 'kubernetes.io/no-provisioner', 'Delete', 'Immediate', 'false']);
    const changed = await harness.kubectl(['patch', 'sc', 'manual', '--type', 'merge', '-p', '{"provisioner":"other.io/x","volumeBindingMode":"WaitForFirstConsumer"}']);
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toContain('provisioner: Forbidden: updates to provisioner are forbidden.');
    expect(changed.stderr).toContain('volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable');
    const invalid = await harness.kubectl(['apply', '-f', '-'], { input: 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: bad}\nprovisioner: ""\nreclaimPolicy: Recycle\n' });
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('provisioner: Required value');
    expect(invalid.stderr).toContain('reclaimPolicy: Unsupported value: "Recycle"');
  });
});
