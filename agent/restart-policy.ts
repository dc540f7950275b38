import type { RestartPolicy } from './pod-types.ts';

/**
 * Whether a container that exited with `exitCode` is started again. Init containers that fail are
 * retried unless the pod's policy is Never (an init container that succeeded is never re-run);
 * app containers follow the policy as written.
 */
export function shouldRestart(policy: RestartPolicy, exitCode: number, isInit: boolean): boolean {
  if (isInit) return exitCode !== 0 && policy !== 'Never';
  switch (policy) {
    case 'Always':
      return true;
    case 'OnFailure':
      return exitCode !== 0;
    case 'Never':
      return false;
  }
}
