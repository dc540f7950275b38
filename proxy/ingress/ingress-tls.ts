import { asString, getPath, type JsonObject } from '../../control-plane/api/json.ts';
import { IngressLimits } from '../limits.ts';
import type { IngressView } from '../model/ingress-view.ts';
import { hostMatches } from './host-match.ts';

export interface CertificateEntry {
  /** Hosts this certificate serves (exact or `*.wildcard`); empty for the default certificate. */
  readonly hosts: readonly string[];
  readonly secretKey: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export interface TlsProblem {
  readonly ingressKey: string;
  readonly message: string;
}

function decodeField(secret: JsonObject, field: string): string {
  const value = asString(getPath(secret, ['data', field])) ?? '';
  return Buffer.from(value, 'base64').toString('utf8');
}

/**
 * Certificates for the HTTPS listener from the Ingresses' spec.tls and their kubernetes.io/tls
 * Secrets (`tls.crt`, `tls.key`), pure. An entry without hosts gives the default certificate
 * (used when the client sends no SNI or one that matches nothing). Missing or incomplete Secrets
 * are reported, not fatal.
 */
export function computeCertificates(ingresses: readonly IngressView[], secrets: ReadonlyMap<string, JsonObject>): { certificates: CertificateEntry[]; problems: TlsProblem[] } {
  const certificates: CertificateEntry[] = [];
  const problems: TlsProblem[] = [];
  for (const ingress of ingresses) {
    for (const entry of ingress.tls) {
      if (entry.secretKey === null) continue;
      const secret = secrets.get(entry.secretKey);
      if (secret === undefined) {
        problems.push({ ingressKey: ingress.key, message: `TLS secret ${entry.secretKey} not found` });
        continue;
      }
      const certificatePem = decodeField(secret, 'tls.crt');
      const privateKeyPem = decodeField(secret, 'tls.key');
      if (!certificatePem.includes('-----BEGIN') || !privateKeyPem.includes('-----BEGIN')) {
        problems.push({ ingressKey: ingress.key, message: `TLS secret ${entry.secretKey} lacks PEM tls.crt and tls.key` });
        continue;
      }
      if (certificates.length >= IngressLimits.certificatesMax) break;
      certificates.push({ hosts: entry.hosts, secretKey: entry.secretKey, certificatePem, privateKeyPem });
    }
  }
  return { certificates, problems };
}

/** The certificate for an SNI name: an exact host first, then a wildcard, then the default (first host-less entry). */
export function certificateFor<Entry extends Pick<CertificateEntry, 'hosts'>>(entries: readonly Entry[], serverName: string): Entry | null {
  const name = serverName.toLowerCase();
  return entries.find((entry) => entry.hosts.includes(name))
    ?? entries.find((entry) => entry.hosts.some((host) => host.startsWith('*.') && hostMatches(host, name)))
    ?? entries.find((entry) => entry.hosts.length === 0)
    ?? null;
}

