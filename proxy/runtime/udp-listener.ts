import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Env, Logger } from '../../common/index.ts';
import type { BackendPicker } from '../balancing/backend-picker.ts';
import type { BackendSpec, ListenerSpec } from '../core/proxy-table.ts';
import { ProxyLimits } from '../limits.ts';
import { UdpFlowTable, type UdpFlow } from './udp-flow-table.ts';

export interface UdpListenerDeps {
  readonly env: Env;
  readonly logger: Logger;
  readonly pickerFor: (targetKey: string) => BackendPicker | undefined;
  readonly flowsMax?: number;
  readonly flowIdleMs?: number;
}

/** Datagrams held for a flow whose upstream socket is still connecting; more are dropped (UDP may drop). */
const pendingDatagramsMax = 64;

interface UpstreamFlow extends UdpFlow {
  readonly socket: Socket;
  readonly backend: BackendSpec;
  connected: boolean;
  readonly pending: Buffer[];
}

/**
 * One UDP listening socket of a service port. Each client address gets a flow: its own connected
 * upstream socket to one backend, so replies find their way back. A backend that answers with
 * ICMP port-unreachable (ECONNREFUSED on the connected socket) is marked failed and the flow
 * closed; the client's next datagram picks another backend.
 */
export class UdpListener {
  private socket: Socket | null = null;
  private readonly flows: UdpFlowTable<UpstreamFlow>;

  constructor(private spec: ListenerSpec, private readonly deps: UdpListenerDeps) {
    this.flows = new UdpFlowTable(deps.env.clock, deps.flowsMax ?? ProxyLimits.udpFlowsPerListenerMax, deps.flowIdleMs ?? ProxyLimits.udpFlowIdleMs);
  }

  get key(): string {
    return this.spec.key;
  }

  get flowCount(): number {
    return this.flows.size;
  }

  update(spec: ListenerSpec): void {
    this.spec = spec;
    const ready = new Set(spec.target.backends.map((backend) => backend.key));
    this.flows.closeWhere((flow) => !ready.has(flow.backendKey));
  }

  async start(): Promise<void> {
    const socket = createSocket({ type: isIPv6(this.spec.host) ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.spec.port, this.spec.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', (error) => this.deps.logger.warn({ err: error, listener: this.spec.key }, 'udp listener error'));
    socket.on('message', (message, remote) => this.onDatagram(message, remote));
    this.socket = socket;
  }

  housekeeping(): void {
    this.flows.closeIdle();
  }

  async close(): Promise<void> {
    this.flows.closeAll();
    const socket = this.socket;
    this.socket = null;
    if (socket !== null) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private onDatagram(message: Buffer, remote: RemoteInfo): void {
    const clientKey = `${remote.address}|${remote.port}`;
    const existing = this.flows.get(clientKey);
    const flow = existing ?? this.openFlow(clientKey, remote);
    if (flow === null) return;
    this.flows.touch(flow);
    if (flow.connected) flow.socket.send(message);
    else if (flow.pending.length < pendingDatagramsMax) flow.pending.push(message);
  }

  private openFlow(clientKey: string, remote: RemoteInfo): UpstreamFlow | null {
    const picker = this.deps.pickerFor(this.spec.target.key);
    const backend = picker?.pick(remote.address, new Set()) ?? null;
    if (picker === undefined || backend === null) return null;
    const socket = createSocket({ type: isIPv6(backend.address) ? 'udp6' : 'udp4' });
    const flow: UpstreamFlow = {
      clientKey, backendKey: backend.key, lastActivityMs: this.deps.env.clock.nowMs(), socket, backend, connected: false, pending: [],
      close: () => {
        flow.connected = false;
        try {
          socket.close();
        } catch {
          // already closed
        }
      },
    };
    socket.on('message', (reply) => {
      this.flows.touch(flow);
      this.socket?.send(reply, remote.port, remote.address);
    });
    socket.on('error', () => {
      picker.onConnectFailed(remote.address, backend);
      this.flows.remove(flow);
    });
    socket.connect(backend.port, backend.address, () => {
      flow.connected = true;
      picker.onConnected(remote.address, backend);
      for (const datagram of flow.pending.splice(0)) socket.send(datagram);
    });
    this.flows.add(flow);
    return flow;
  }
}
