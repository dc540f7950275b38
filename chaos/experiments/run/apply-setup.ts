import { spawn } from 'node:child_process';
import type { SetupManifest } from '../experiment.ts';

/** How long one `kubectl apply` may take. */
const applyTimeoutMs = 60_000;
/** kubectl's output kept for an error message. */
const outputBytesMax = 64 * 1024;

/** Applies the experiment's manifests with the installed kubectl (create or update, as an operator would). */
export async function applySetup(manifests: readonly SetupManifest[], kubeconfigPath: string, print: (line: string) => void): Promise<void> {
  for (const manifest of manifests) {
    const output = await kubectlApply(manifest.text, kubeconfigPath);
    print(`setup ${manifest.source}: ${output.trim().split('\n').join('; ')}`);
  }
}

function kubectlApply(text: string, kubeconfigPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfigPath, 'apply', '-f', '-'], { stdio: ['pipe', 'pipe', 'pipe'], timeout: applyTimeoutMs });
    let output = '';
    const keep = (chunk: Buffer): void => {
      if (output.length < outputBytesMax) output += chunk.toString('utf8');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => reject(new Error(`kubectl could not run (is it installed?): ${error.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`kubectl apply failed (exit ${code ?? 'signal'}): ${output.trim()}`))));
    child.stdin.end(text);
  });
}
