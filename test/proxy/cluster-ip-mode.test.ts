import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../control-plane/harness.ts';

function canUseNetworkNamespaces(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    execFileSync('unshare', ['-n', 'true'], { stdio: 'ignore' });
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Root mode for real, inside a throwaway network namespace so the host's interfaces are never
 * touched: the cluster IP is added (dummy interface, or `lo` where the kernel has no dummy driver),
 * the proxy answers on clusterIP:port, and the address is gone after stop.
 */
describe.runIf(canUseNetworkNamespaces())('cluster-ip listen mode (root, in a network namespace)', () => {
  it('adds the cluster IP, serves clusterIP:port, and removes the address on stop', async () => {
    const script = join(import.meta.dirname, 'fixtures', 'cluster-ip-mode-check.ts');
    const result = await runProcess('unshare', ['-n', '--', process.execPath, '--import', 'tsx', script], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    const outcome = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    expect(['flotilla0', 'lo']).toContain(outcome['device']);
    expect(outcome['addedWhileRunning']).toBe(true);
    expect(outcome['body']).toBe('through the cluster IP');
    expect(outcome['leftAfterStop']).toBe(false);
  });
});
