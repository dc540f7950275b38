/**
 * The agent's operating errors. `common/errors.ts` holds the cluster-wide codes; these are the
 * agent's own until they are needed across folders (then they move there). Codes are API.
 */
export const AgentErrorCode = {
  /** A second copy of a container was asked for while one is running. */
  containerAlreadyRunning: 'AGENT_CONTAINER_ALREADY_RUNNING',
  containerNotFound: 'AGENT_CONTAINER_NOT_FOUND',
  /** env/envFrom referred to a missing ConfigMap, Secret or key that is not optional. */
  containerConfig: 'AGENT_CONTAINER_CONFIG',
  startFailed: 'AGENT_START_FAILED',
  volumeSetupFailed: 'AGENT_VOLUME_SETUP_FAILED',
  runtimeClosed: 'AGENT_RUNTIME_CLOSED',
  /** The pod's image is not in the node's local image store (the agent does not pull). */
  imageNotPresent: 'AGENT_IMAGE_NOT_PRESENT',
  /** The pod asks for a runtime this node cannot run (the OCI runtime without crun/runc/podman, an unknown runtimeClassName). */
  runtimeUnavailable: 'AGENT_RUNTIME_UNAVAILABLE',
} as const;

export type AgentErrorCode = (typeof AgentErrorCode)[keyof typeof AgentErrorCode];

export class AgentError extends Error {
  override readonly name = 'AgentError';
  readonly code: AgentErrorCode;

  constructor(code: AgentErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

export function isAgentError(error: unknown, code?: AgentErrorCode): error is AgentError {
  return error instanceof AgentError && (code === undefined || error.code === code);
}
