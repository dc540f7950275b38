import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Member } from './backend.ts';
import { EtcdRequestError } from './etcd-errors.ts';
import { uint64FromWire, uint64ToWire } from './numbers.ts';
import { unaryHandler, wireHeader, type ServiceContext } from './service-support.ts';
import type { WireMember, WireMemberAddRequest, WireMemberIdRequest } from './wire.ts';

/** etcdserverpb.Cluster. Member IDs are uint64; they travel as decimal strings and live as bigint. */
export function clusterService(context: ServiceContext): UntypedServiceImplementation {
  const { backend } = context;
  return {
    MemberList: unaryHandler(context, 'MemberList', async (_wire: object, signal) => {
      const response = await backend.memberList({ signal });
      return { header: wireHeader(context, response.header), members: response.members.map(encodeMember) };
    }),
    MemberAdd: unaryHandler(context, 'MemberAdd', async (wire: WireMemberAddRequest, signal) => {
      checkPeerUrls(wire.peerURLs);
      const response = await backend.memberAdd(wire.peerURLs, wire.isLearner, { signal });
      return {
        header: wireHeader(context, response.header),
        member: encodeMember(response.member),
        members: response.members.map(encodeMember),
      };
    }),
    MemberRemove: unaryHandler(context, 'MemberRemove', async (wire: WireMemberIdRequest, signal) => {
      const response = await backend.memberRemove(uint64FromWire(wire.ID), { signal });
      return { header: wireHeader(context, response.header), members: response.members.map(encodeMember) };
    }),
    MemberPromote: unaryHandler(context, 'MemberPromote', async (wire: WireMemberIdRequest, signal) => {
      const response = await backend.memberPromote(uint64FromWire(wire.ID), { signal });
      return { header: wireHeader(context, response.header), members: response.members.map(encodeMember) };
    }),
  };
}

function encodeMember(member: Member): WireMember {
  return {
    ID: uint64ToWire(member.id),
    name: member.name,
    peerURLs: [...member.peerUrls],
    clientURLs: [...member.clientUrls],
    isLearner: member.isLearner,
  };
}

/** etcd accepts only http(s)://host:port peer URLs with nothing after the port. */
export function checkPeerUrls(urls: readonly string[]): void {
  if (urls.length === 0) throw new EtcdRequestError('memberBadUrls');
  for (const text of urls) {
    if (!URL.canParse(text)) throw new EtcdRequestError('memberBadUrls');
    const url = new URL(text);
    const schemeOk = url.protocol === 'http:' || url.protocol === 'https:';
    if (!schemeOk || url.port === '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '') {
      throw new EtcdRequestError('memberBadUrls');
    }
  }
}
