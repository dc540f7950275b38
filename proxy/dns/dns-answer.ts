import dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import { DnsLimits } from '../limits.ts';
import type { DnsZone, ZoneRecord } from './dns-zone.ts';

/** DNS RCODEs (RFC 1035 §4.1.1) as the low bits of the flags word. */
const rcodeValue = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const opcodeQuery = 0;

export type DnsTransport = 'udp' | 'tcp';

function toAnswer(record: ZoneRecord): Answer {
  const ttl = DnsLimits.answerTtlSeconds;
  if (record.type === 'SRV') return { type: 'SRV', name: record.name, ttl, class: 'IN', data: { ...record.data } };
  return { type: record.type, name: record.name, ttl, class: 'IN', data: record.data };
}

/** The zone's SOA, in the authority section of negative answers so resolvers cache them briefly (RFC 2308). */
function soaOf(zone: DnsZone): Answer {
  return {
    type: 'SOA', name: zone.domain, ttl: DnsLimits.answerTtlSeconds, class: 'IN',
    data: { mname: `ns.dns.${zone.domain}`, rname: `hostmaster.${zone.domain}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: DnsLimits.answerTtlSeconds },
  };
}

/** The largest UDP answer this client accepts: 512 bytes, or its EDNS size up to our bound. */
function udpLimitOf(query: Packet): number {
  const opt = query.additionals?.find((record) => record.type === 'OPT');
  if (opt === undefined || !('udpPayloadSize' in opt)) return DnsLimits.udpAnswerBytesMax;
  return Math.max(DnsLimits.udpAnswerBytesMax, Math.min(opt.udpPayloadSize, DnsLimits.udpEdnsAnswerBytesMax));
}

function errorAnswer(id: number, flags: number, rcode: number, questions: Packet['questions']): Buffer {
  return dnsPacket.encode({ type: 'response', id, flags: (flags & dnsPacket.RECURSION_DESIRED) | rcode, questions: questions ?? [] });
}

/**
 * The answer to one DNS query message, or null for bytes that are not a query (not answered, so
 * the server cannot be used to reflect garbage). Only standard queries with one question are
 * answered; an answer too large for UDP is sent truncated (TC) so the client retries over TCP.
 */
export function answerQuery(zone: DnsZone, message: Buffer, transport: DnsTransport): Buffer | null {
  if (message.length < 12) return null;
  const id = message.readUInt16BE(0);
  const flags = message.readUInt16BE(2);
  if ((flags & 0x8000) !== 0) return null; // a response, not a query
  let query: Packet;
  try {
    query = dnsPacket.decode(message);
  } catch {
    return errorAnswer(id, flags, rcodeValue.FORMERR, []);
  }
  if (((flags >> 11) & 0xf) !== opcodeQuery) return errorAnswer(id, flags, rcodeValue.NOTIMP, query.questions);
  const question = query.questions?.[0];
  if (question === undefined || (query.questions?.length ?? 0) !== 1) return errorAnswer(id, flags, rcodeValue.FORMERR, query.questions);
  const found = zone.lookup(question.name, question.type);
  const edns = query.additionals?.some((record) => record.type === 'OPT') === true;
  const additionals: Answer[] = edns ? [{ type: 'OPT', name: '.', udpPayloadSize: DnsLimits.udpEdnsAnswerBytesMax, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [];
  const baseFlags = (flags & dnsPacket.RECURSION_DESIRED) | (found.rcode === 'REFUSED' ? 0 : dnsPacket.AUTHORITATIVE_ANSWER) | rcodeValue[found.rcode];
  const answers = found.rcode === 'NOERROR' ? found.records.map(toAnswer) : [];
  const authorities = found.rcode === 'REFUSED' || answers.length > 0 ? [] : [soaOf(zone)];
  const response: Packet = { type: 'response', id, flags: baseFlags, questions: [question], answers, authorities, additionals };
  const encoded = dnsPacket.encode(response);
  if (transport === 'tcp' || encoded.length <= udpLimitOf(query)) return encoded;
  return dnsPacket.encode({ ...response, flags: baseFlags | dnsPacket.TRUNCATED_RESPONSE, answers: [], authorities: [] });
}
