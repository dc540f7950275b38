import { Packr } from 'msgpackr';

/**
 * The one binary codec: msgpackr, with records off so that frames are self-describing and
 * readable by any msgpack decoder (peers of different versions, debugging tools).
 */
const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false });

export function encode(value: unknown): Uint8Array {
  return packr.pack(value);
}

export function decode<T>(bytes: Uint8Array): T {
  return packr.unpack(bytes) as T;
}
