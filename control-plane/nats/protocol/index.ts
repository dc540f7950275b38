// The NATS protocol between `flotilla server` and `flotilla agent` (docs/nats-protocol.md):
// subjects, message shapes and their codecs, the gap/epoch detector, streams with flow control,
// and how to connect. Both sides import it; it imports only common/ and the API's JSON types.
export { AgentOperation, Subjects, controlPlaneQueueGroup, clusterNameProblem, nodeToken, watchedKinds } from './subjects.ts';
export type { WatchedKind } from './subjects.ts';
export { ProtocolLimits, StreamLimits } from './limits.ts';
export { protocolVersion, StreamChannel, proxyPortsAnnotation } from './messages.ts';
export type * from './messages.ts';
export { ProtocolError, Fields } from './shape.ts';
export { encodeMessage, decodeFields, decodeReply, okReply, failureReply } from './codec.ts';
export type { DecodedReply } from './codec.ts';
export * from './operation-codec.ts';
export * from './proxy-operation-codec.ts';
export { isPortNumber, parseProxyPorts, proxyPortKey, proxyPortKeyPattern } from './proxy-ports.ts';
export { decodePodEvent, decodeConfigChange, decodeObjectEvent } from './event-codec.ts';
export { decodeLogOpenRequest, decodeExecOpenRequest, readStreamOpenResult, decodeStreamFrame } from './stream-codec.ts';
export { SequenceTracker } from './sequence-tracker.ts';
export type { SequenceVerdict } from './sequence-tracker.ts';
export { ListWatchReflector, ReflectorLimits } from './list-watch-reflector.ts';
export type { ListedObjects, ReflectorHandler, ReflectorOptions, ReflectorSubscribe, ReflectorTimings } from './list-watch-reflector.ts';
export { requestOperation, listAllPages, listClusterObjects, OperationRefusedError } from './operation-request.ts';
export { StreamEndpoint } from './stream-endpoint.ts';
export type { FrameTransport, IncomingFrame, StreamEnd, StreamEndpointOptions, StreamTimings } from './stream-endpoint.ts';
export { parseNatsSettings, defaultClusterName } from './nats-options.ts';
export type { NatsOptions, NatsSettings, NatsTlsFiles } from './nats-options.ts';
export { connectNats, closeNats, watchConnection, natsRequest, natsFrameTransport, NatsRequestError, NatsConnectionDefaults } from './connection.ts';
export type { RequestFailure } from './connection.ts';
