/**
 * Hosts with their own IP addresses on one machine: a network namespace per host, each joined to a
 * bridge in the root namespace by a veth pair (iproute2). The root namespace has an address on the
 * bridge too, so tests (and kubectl) reach every host. Needs root; `networkLabUnavailable()` says
 * why it cannot run otherwise.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** Null when namespaces can be made here, else the reason (for the skip message). */
export function networkLabUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, veth pairs and a bridge); CI runs as root';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'needs iproute2 (the ip command): apt-get install iproute2';
  }
  const probe = `flprobe${process.pid % 100_000}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'ignore' });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
  } catch {
    return 'this machine refuses to create network namespaces (a container without CAP_SYS_ADMIN?)';
  }
  return null;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function ipQuiet(...args: string[]): void {
  try {
    ip(...args);
  } catch {
    // Cleaning up something that is not there.
  }
}

/** A process started inside a host's namespace, its output appended to a log file. */
export class LabProcess {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(namespace: string, command: string, args: readonly string[], logPath: string, env: Readonly<Record<string, string>> = {}) {
    const log = createWriteStream(logPath, { flags: 'a' });
    // `ip netns exec` enters the namespace and execs the command: the child's pid is the command's.
    this.child = spawn('ip', ['netns', 'exec', namespace, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.child.stdout?.pipe(log, { end: false });
    this.child.stderr?.pipe(log, { end: false });
    this.exited = new Promise((resolve) => this.child.once('exit', () => {
      log.end();
      resolve();
    }));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export class NetworkLab {
  private readonly processes: LabProcess[] = [];

  private constructor(
    readonly prefix: string,
    readonly subnet: string,
    private readonly hosts: readonly string[],
  ) {}

  /**
   * `prefix` keeps names unique (interface names are at most 15 characters); `subnetThirdOctet`
   * picks 10.231.<n>.0/24. Leftovers of an earlier run with the same names are removed first.
   */
  static create(prefix: string, subnetThirdOctet: number, hosts: readonly string[]): NetworkLab {
    const lab = new NetworkLab(prefix, `10.231.${subnetThirdOctet}`, hosts);
    lab.removeNetwork();
    try {
      ip('link', 'add', lab.bridge, 'type', 'bridge');
      ip('addr', 'add', `${lab.subnet}.1/24`, 'dev', lab.bridge);
      ip('link', 'set', lab.bridge, 'up');
      hosts.forEach((host, index) => lab.addHost(host, index));
    } catch (error) {
      lab.removeNetwork();
      throw error;
    }
    return lab;
  }

  private get bridge(): string {
    return `${this.prefix}br`;
  }

  namespace(host: string): string {
    return `${this.prefix}-${host}`;
  }

  private hostSide(host: string): string {
    return `${this.prefix}${host}h`;
  }

  address(host: string): string {
    return `${this.subnet}.${11 + this.hosts.indexOf(host)}`;
  }

  private addHost(host: string, index: number): void {
    const namespace = this.namespace(host);
    const inside = `${this.prefix}${host}c`;
    ip('netns', 'add', namespace);
    ip('link', 'add', this.hostSide(host), 'type', 'veth', 'peer', 'name', inside);
    ip('link', 'set', inside, 'netns', namespace);
    ip('link', 'set', this.hostSide(host), 'master', this.bridge);
    ip('link', 'set', this.hostSide(host), 'up');
    ip('netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'up');
    ip('netns', 'exec', namespace, 'ip', 'addr', 'add', `${this.subnet}.${11 + index}/24`, 'dev', inside);
    ip('netns', 'exec', namespace, 'ip', 'link', 'set', inside, 'up');
  }

  /** Starts a process on a host (inside its namespace); `stopAll` ends it. */
  run(host: string, command: string, args: readonly string[], logPath: string, env?: Readonly<Record<string, string>>): LabProcess {
    const started = new LabProcess(this.namespace(host), command, args, logPath, env);
    this.processes.push(started);
    return started;
  }

  /** A namespaced kernel setting (net.*) on one host. */
  sysctl(host: string, key: string, value: string): void {
    ip('netns', 'exec', this.namespace(host), 'sysctl', '-q', '-w', `${key}=${value}`);
  }

  /** Unplugs a host's cable: its veth end on the bridge goes down (both directions cut). */
  cut(host: string): void {
    ip('link', 'set', this.hostSide(host), 'down');
  }

  heal(host: string): void {
    ip('link', 'set', this.hostSide(host), 'up');
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.processes.map((started) => started.stop()));
  }

  /**
   * Stops every process, kills whatever else still runs in the namespaces (pods: an agent that
   * stops leaves its containers running, by design), then deletes the namespaces (their veth pairs
   * go with them) and the bridge.
   */
  async destroy(): Promise<void> {
    await this.stopAll();
    for (const host of this.hosts) {
      let pids: string[] = [];
      try {
        pids = execFileSync('ip', ['netns', 'pids', this.namespace(host)], { encoding: 'utf8' }).split('\n').filter((pid) => /^\d+$/.test(pid));
      } catch {
        // The namespace is gone already.
      }
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // Exited meanwhile.
        }
      }
    }
    this.removeNetwork();
  }

  private removeNetwork(): void {
    for (const host of this.hosts) {
      ipQuiet('netns', 'del', this.namespace(host));
      ipQuiet('link', 'del', this.hostSide(host));
    }
    ipQuiet('link', 'del', this.bridge);
  }
}
