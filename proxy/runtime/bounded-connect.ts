import { connect, type Socket, type TcpNetConnectOpts } from 'node:net';
import { ProxyLimits } from '../limits.ts';

/** Node's stream buffer bounds, which net.Socket honours but @types/node 20 does not list for connect(). */
interface StreamBufferBounds {
  readonly readableHighWaterMark: number;
  readonly writableHighWaterMark: number;
}

/** A TCP connection whose read and write buffers are bounded by `pipeHighWaterMarkBytes` (pipes pause at it). */
export function boundedConnect(host: string, port: number, allowHalfOpen: boolean): Socket {
  const options: TcpNetConnectOpts & StreamBufferBounds = {
    host,
    port,
    allowHalfOpen,
    readableHighWaterMark: ProxyLimits.pipeHighWaterMarkBytes,
    writableHighWaterMark: ProxyLimits.pipeHighWaterMarkBytes,
  };
  return connect(options);
}
