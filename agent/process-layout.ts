import { join } from 'node:path';

/**
 * Where the process runtime keeps things, under its root directory:
 *
 *   pods/<podUid>/containers/<name>/root/         the container's working directory and HOME
 *   pods/<podUid>/containers/<name>/state.json    the latest instance (pid, start time, env, ports)
 *   pods/<podUid>/containers/<name>/exit-<n>      exit code of instance n, written by the wrapper
 *   pods/<podUid>/logs/<name>/<n>.log[.1 …]       stdout+stderr of instance n, size-rotated
 *   pods/<podUid>/volumes/…                       see volumes.ts
 */
export class ProcessLayout {
  constructor(readonly rootDirectory: string) {}

  podsDirectory(): string {
    return join(this.rootDirectory, 'pods');
  }

  podDirectory(podUid: string): string {
    return join(this.podsDirectory(), safeSegment(podUid));
  }

  containerDirectory(podUid: string, containerName: string): string {
    return join(this.podDirectory(podUid), 'containers', safeSegment(containerName));
  }

  containerRoot(podUid: string, containerName: string): string {
    return join(this.containerDirectory(podUid, containerName), 'root');
  }

  stateFile(podUid: string, containerName: string): string {
    return join(this.containerDirectory(podUid, containerName), 'state.json');
  }

  exitFile(podUid: string, containerName: string, instance: number): string {
    return join(this.containerDirectory(podUid, containerName), `exit-${instance}`);
  }

  logDirectory(podUid: string, containerName: string): string {
    return join(this.podDirectory(podUid), 'logs', safeSegment(containerName));
  }

  logFile(podUid: string, containerName: string, instance: number): string {
    return join(this.logDirectory(podUid, containerName), `${instance}.log`);
  }
}

/** Pod UIDs and container names are DNS-ish already; this only guards against path tricks. */
function safeSegment(segment: string): string {
  if (segment === '' || segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) {
    throw new Error(`unsafe path segment ${JSON.stringify(segment)}`);
  }
  return segment;
}
