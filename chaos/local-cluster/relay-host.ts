import { dirname } from 'node:path';
import type { Logger } from '../../common/index.ts';
import { FaultRelay, type RelayFault } from '../relay/fault-relay.ts';
import { readClusterState } from './cluster-state.ts';
import { closeServer, startControlServer, type ControlAnswer } from './control-server.ts';
import { LocalClusterLimits } from './limits.ts';
import type { LinkFault } from './relay-control.ts';

/** The longest delay a link may be given: longer only hides a partition behind a delay. */
const delayMsMax = 60_000;

/**
 * `flotilla fault-relays --state <dir>/state.json`: one process holding a fault relay for every
 * directed link between the replicas (on the ports the state names, so the servers' --initial-cluster
 * stays valid across restarts of this process), steered through its control endpoint. A restart
 * starts healed: faults live in this process only.
 */
export async function runRelayHost(statePath: string, logger: Logger, stopSignal: AbortSignal): Promise<number> {
  const state = await readClusterState(dirname(statePath));
  if (state === null) throw new Error(`${statePath} does not exist`);
  const relays = new Map<string, FaultRelay>();
  for (const link of state.relays.links) {
    const relay = new FaultRelay({ targetHost: '127.0.0.1', targetPort: link.targetPort, listenHost: '127.0.0.1', listenPort: link.listenPort, logger: logger.child({ link: `${link.from}>${link.to}` }) });
    await relay.start();
    relays.set(linkKey(link.from, link.to), relay);
  }
  const control = await startControlServer(state.relays.controlEndpoint, LocalClusterLimits.controlBodyBytesMax, async (method, path, body) => {
    if (path !== '/links') return { status: 404, body: { error: `no ${path}; use GET or PUT /links` } };
    if (method === 'GET') return listAnswer(relays);
    if (method !== 'PUT') return { status: 405, body: { error: 'GET or PUT' } };
    const faults = parseFaults(body);
    for (const fault of faults) if (!relays.has(linkKey(fault.from, fault.to))) throw new Error(`no link ${fault.from} → ${fault.to}`);
    for (const fault of faults) relays.get(linkKey(fault.from, fault.to))?.setFault(fault.fault);
    return listAnswer(relays);
  });
  logger.info({ links: relays.size, control: state.relays.controlEndpoint }, 'fault relays running');
  await new Promise<void>((resolve) => stopSignal.addEventListener('abort', () => resolve(), { once: true }));
  await closeServer(control);
  await Promise.all([...relays.values()].map((relay) => relay.stop()));
  logger.info('fault relays stopped');
  return 0;
}

function listAnswer(relays: ReadonlyMap<string, FaultRelay>): ControlAnswer {
  const links = [...relays].map(([key, relay]) => {
    const [from, to] = key.split('>');
    return { from, to, port: relay.port, fault: relay.currentFault() };
  });
  return { status: 200, body: { links } };
}

function linkKey(from: string, to: string): string {
  return `${from}>${to}`;
}

/** `{ faults: [{ from, to, fault: { kind, delayMs? } }] }`, checked field by field. */
function parseFaults(body: unknown): LinkFault[] {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { faults?: unknown }).faults)) throw new Error('expected { "faults": [...] }');
  return ((body as { faults: unknown[] }).faults).map((entry, index) => {
    if (typeof entry !== 'object' || entry === null) throw new Error(`faults[${index}] is not an object`);
    const { from, to, fault } = entry as { from?: unknown; to?: unknown; fault?: unknown };
    if (typeof from !== 'string' || typeof to !== 'string') throw new Error(`faults[${index}] needs "from" and "to" member names`);
    return { from, to, fault: parseFault(fault, index) };
  });
}

function parseFault(value: unknown, index: number): RelayFault {
  const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
  if (kind === 'pass' || kind === 'blackhole' || kind === 'reset') return { kind };
  if (kind === 'delay') {
    const delayMs = (value as { delayMs?: unknown }).delayMs;
    if (typeof delayMs === 'number' && Number.isInteger(delayMs) && delayMs >= 0 && delayMs <= delayMsMax) return { kind, delayMs };
    throw new Error(`faults[${index}].fault.delayMs must be a whole number of ms from 0 to ${delayMsMax}`);
  }
  if (kind === 'loss') {
    // Chaos experiments' packet loss (fault-relay.ts): a share of chunks held a retransmission timeout.
    const { rate, retransmitDelayMs, delayMs } = value as { rate?: unknown; retransmitDelayMs?: unknown; delayMs?: unknown };
    const isDelay = (ms: unknown): ms is number => typeof ms === 'number' && Number.isInteger(ms) && ms >= 0 && ms <= delayMsMax;
    if (typeof rate === 'number' && rate >= 0 && rate <= 1 && isDelay(retransmitDelayMs) && isDelay(delayMs)) return { kind, rate, retransmitDelayMs, delayMs };
    throw new Error(`faults[${index}].fault needs rate (0 to 1), retransmitDelayMs and delayMs (whole ms from 0 to ${delayMsMax})`);
  }
  throw new Error(`faults[${index}].fault.kind must be pass, blackhole, reset, delay or loss`);
}
