import { StreamLimits } from './limits.ts';
import { protocolVersion, StreamChannel, type ExecOpenRequest, type LogOpenRequest, type StreamFrame, type StreamOpenResult, type StreamSubjects } from './messages.ts';
import { decodeFields } from './codec.ts';
import { Fields, ProtocolError } from './shape.ts';

/** Decoders of stream openings and frames. */

/** Words of an exec command. */
const commandWordsMax = 1024;
const channels = [StreamChannel.stdin, StreamChannel.stdout, StreamChannel.stderr] as const;

export function decodeLogOpenRequest(bytes: Uint8Array): LogOpenRequest {
  const fields = decodeFields(bytes, 'log open');
  return {
    version: protocolVersion,
    namespace: fields.string('namespace'), name: fields.string('name'), uid: fields.string('uid'), container: fields.string('container'),
    follow: fields.boolean('follow'), previous: fields.boolean('previous'), tailLines: fields.integer('tailLines', -1),
    subjects: subjectsOf(fields), windowChunks: fields.integer('windowChunks', 1, StreamLimits.windowChunks * 16),
  };
}

export function decodeExecOpenRequest(bytes: Uint8Array): ExecOpenRequest {
  const fields = decodeFields(bytes, 'exec open');
  return {
    version: protocolVersion,
    namespace: fields.string('namespace'), name: fields.string('name'), uid: fields.string('uid'), container: fields.string('container'),
    command: fields.strings('command', commandWordsMax), stdin: fields.boolean('stdin'), tty: fields.boolean('tty'),
    subjects: subjectsOf(fields), windowChunks: fields.integer('windowChunks', 1, StreamLimits.windowChunks * 16),
  };
}

export function readStreamOpenResult(fields: Fields): StreamOpenResult {
  return { windowChunks: fields.integer('windowChunks', 1, StreamLimits.windowChunks * 16) };
}

function subjectsOf(fields: Fields): StreamSubjects {
  const subjects = Fields.nested(fields.object('subjects'), 'stream open: subjects');
  return { toControlPlane: subjects.string('toControlPlane'), toAgent: subjects.string('toAgent') };
}

export function decodeStreamFrame(bytes: Uint8Array): StreamFrame {
  const fields = decodeFields(bytes, 'stream frame');
  const sequence = fields.integer('sequence', 1);
  const kind = fields.oneOf('kind', ['data', 'credit', 'keepalive', 'resize', 'close', 'end']);
  const base = { version: protocolVersion, sequence };
  switch (kind) {
    case 'data': {
      const data = fields.bytes('data');
      if (data.length > StreamLimits.chunkBytesMax) throw new ProtocolError(`stream frame: ${data.length} bytes of data; at most ${StreamLimits.chunkBytesMax}`);
      return { ...base, kind, channel: channelOf(fields), data };
    }
    case 'credit':
      return { ...base, kind, chunks: fields.integer('chunks', 0, StreamLimits.windowChunks * 16) };
    case 'keepalive':
      return { ...base, kind };
    case 'resize':
      return { ...base, kind, width: fields.integer('width', 0, 65_535), height: fields.integer('height', 0, 65_535) };
    case 'close':
      return { ...base, kind, channel: channelOf(fields) };
    default:
      return { ...base, kind, exitCode: fields.integer('exitCode', -1, 255), error: fields.string('error') };
  }
}

function channelOf(fields: Fields): StreamChannel {
  const channel = fields.integer('channel', 0, 2);
  return channels[channel] ?? StreamChannel.stdout;
}
