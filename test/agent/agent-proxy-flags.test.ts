import { describe, expect, it } from 'vitest';
import { flotillaBin } from '../../chaos/cluster/index.ts';
import { runProcess } from '../control-plane/harness.ts';

/** `flotilla agent --proxy` and the proxy flags on the agent: bad ones exit 2 saying what to fix. */
describe('flotilla agent: proxy flags', () => {
  it.each([
    [['--http-port', '8080', '--dns-port', '53'], /--http-port, --dns-port need --proxy/],
    [['--listen-mode', 'magic'], /--listen-mode: expected auto, cluster-ip or ports/],
    [['--proxy', '--http-port', '70000'], /--http-port must be a port/],
  ])('%j exits 2', async (args, message) => {
    const result = await runProcess(process.execPath, [flotillaBin, 'agent', '--node-name', 'n1', '--nats', 'nats://127.0.0.1:1', '--data-dir', '/nonexistent/flotilla', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
