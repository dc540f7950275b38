import { X509Certificate } from 'node:crypto';

/** SHA-256 of a certificate's DER encoding, lowercase hex without colons (the join token's pin). */
export function caSha256Of(certificatePem: string): string {
  return new X509Certificate(certificatePem).fingerprint256.replaceAll(':', '').toLowerCase();
}
