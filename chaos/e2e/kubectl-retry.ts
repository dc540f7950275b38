import type { Logger } from '../../common/index.ts';
import type { E2eCluster, KubectlResult } from './e2e-cluster.ts';
import type { KubectlCommand } from './kubectl-commands.ts';
import { sleep } from './sleep.ts';

/** How hard one operator change is tried while faults come and go. */
export const KubectlRetryLimits = {
  /** Attempts per change: at 1 s apart plus each attempt's timeout, about a minute in all. */
  attemptsMax: 12,
  /** kubectl's own --request-timeout per attempt. */
  requestTimeoutSeconds: 5,
  /** The kubectl process is killed after this long (it may dial several times within its timeout). */
  processTimeoutMs: 15_000,
  pauseBetweenAttemptsMs: 1_000,
} as const;

export type KubectlOutcome =
  | { readonly ok: true; readonly attempts: number; readonly stdout: string }
  | { readonly ok: false; readonly attempts: number; readonly error: string; readonly refused: boolean };

/**
 * Answers that retrying cannot change: the request reached the API and was judged. Anything
 * else (no connection, a timeout, 5xx while a leader is elected, 409) is worth another try, which
 * is safe because every command is idempotent (kubectl-commands.ts).
 */
const refusalPattern = /Error from server \((BadRequest|Invalid|NotFound|Forbidden|Unauthorized|MethodNotAllowed|UnsupportedMediaType|NotAcceptable)\)|error: (unknown|error validating|the path)/;

export function isRefusal(result: KubectlResult): boolean {
  return refusalPattern.test(result.stderr);
}

/** Runs one change until kubectl succeeds, refuses it for good, or the attempts run out. */
export async function runKubectlWithRetries(cluster: E2eCluster, command: KubectlCommand, logger: Logger): Promise<KubectlOutcome> {
  let last: KubectlResult = { code: -1, stdout: '', stderr: 'not run' };
  for (let attempt = 1; attempt <= KubectlRetryLimits.attemptsMax; attempt++) {
    last = await cluster.kubectl({
      args: [`--request-timeout=${KubectlRetryLimits.requestTimeoutSeconds}s`, ...command.args],
      ...(command.input === undefined ? {} : { input: command.input }),
      timeoutMs: KubectlRetryLimits.processTimeoutMs,
    }).catch((error: unknown) => ({ code: -1, stdout: '', stderr: error instanceof Error ? error.message : String(error) }));
    if (last.code === 0) return { ok: true, attempts: attempt, stdout: last.stdout };
    if (isRefusal(last)) return { ok: false, attempts: attempt, error: last.stderr.trim(), refused: true };
    logger.debug({ args: command.args, attempt, stderr: last.stderr.trim() }, 'kubectl failed; retrying');
    await sleep(KubectlRetryLimits.pauseBetweenAttemptsMs);
  }
  return { ok: false, attempts: KubectlRetryLimits.attemptsMax, error: last.stderr.trim(), refused: false };
}
