import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { KubectlInvocation, KubectlResult } from './e2e-cluster.ts';

/** Output kept per stream; a list of one run's objects is far smaller. */
export const kubectlOutputBytesMax = 16 * 1024 * 1024;

/**
 * Runs the installed kubectl against a kubeconfig, with HOME and the discovery cache inside
 * `directory` (nothing leaks between clusters or from the user's own ~/.kube). Killed at the
 * invocation's timeout; a missing kubectl rejects.
 */
export function runKubectl(kubeconfig: string, directory: string, invocation: KubectlInvocation): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(directory, 'kube-cache'), ...invocation.args], {
      env: { ...process.env, HOME: directory, KUBECONFIG: kubeconfig },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout = boundedCollector();
    const stderr = boundedCollector();
    child.stdout.on('data', stdout.add);
    child.stderr.on('data', stderr.add);
    const timer = setTimeout(() => child.kill('SIGKILL'), invocation.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout: stdout.text(), stderr: code === null ? `${stderr.text()}kubectl killed after ${invocation.timeoutMs} ms` : stderr.text() });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(invocation.input ?? '');
  });
}

function boundedCollector(): { add: (chunk: Buffer) => void; text: () => string } {
  const chunks: Buffer[] = [];
  let bytes = 0;
  return {
    add: (chunk) => {
      if (bytes + chunk.byteLength > kubectlOutputBytesMax) return;
      chunks.push(chunk);
      bytes += chunk.byteLength;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}
