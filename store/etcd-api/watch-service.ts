import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { ServiceContext } from './service-support.ts';
import { WatchStream } from './watch-stream.ts';
import type { WireWatchRequest, WireWatchResponse } from './wire.ts';

/** etcdserverpb.Watch: one WatchStream per call; open streams are closed with the server. */
export function watchService(context: ServiceContext, openStreams: Set<WatchStream>): UntypedServiceImplementation {
  return {
    Watch: (call: ServerDuplexStream<WireWatchRequest, WireWatchResponse>) => {
      const stream = new WatchStream(context, call);
      openStreams.add(stream);
      const forget = (): void => {
        openStreams.delete(stream);
      };
      call.once('close', forget);
      call.once('cancelled', forget);
      call.once('finish', forget);
      stream.start();
    },
  };
}
