/**
 * The port through which the API server reaches a pod's node for `pods/log` and `pods/exec`: the
 * node's agent streams them (over NATS, control-plane/nats implements it). The API server sees
 * only this interface; failures are ApiErrors (503 when no agent answers in time).
 */

export interface PodStreamTarget {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly nodeName: string;
  readonly container: string;
}

export interface PodLogOptions {
  readonly follow: boolean;
  readonly previous: boolean;
  /** -1: every line. */
  readonly tailLines: number;
}

export interface PodExecOptions {
  readonly command: readonly string[];
  readonly stdin: boolean;
  readonly tty: boolean;
}

/** Bytes from the agent; iterating pulls them (so a slow client slows the agent, within its window). */
export interface ByteStream extends AsyncIterable<Uint8Array> {
  /** Stops the stream (the client went away). */
  cancel(): void;
}

export interface ExecOutput {
  readonly channel: 'stdout' | 'stderr';
  readonly data: Uint8Array;
}

export interface ExecSession {
  /** stdout and stderr in the order produced; ends when the command has exited (or the session broke). */
  readonly output: AsyncIterable<ExecOutput>;
  writeStdin(data: Uint8Array): Promise<void>;
  closeStdin(): void;
  resize(width: number, height: number): void;
  /** The command's exit code, or an error saying why there is none. */
  readonly result: Promise<{ readonly exitCode: number; readonly error: string }>;
  cancel(): void;
}

export interface PodStreams {
  openLogs(target: PodStreamTarget, options: PodLogOptions, signal: AbortSignal): Promise<ByteStream>;
  openExec(target: PodStreamTarget, options: PodExecOptions, signal: AbortSignal): Promise<ExecSession>;
}
