import { createHash, webcrypto } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import './reflect-metadata-shim.ts';
import * as x509 from '@peculiar/x509';

/**
 * The cluster CA and the API server's serving certificate, made at first start and kept in
 * `<dataDir>/pki`. The CA signs; its certificate goes into kubeconfigs. The serving certificate is
 * re-issued (by the same CA) when the wanted names change.
 */
export interface ServingCredentials {
  readonly caCertificatePem: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/** Named limits: validity of what we issue. */
export const CertificateLifetimes = { caDays: 3650, servingDays: 825 } as const;

const algorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;
const dayMs = 24 * 60 * 60 * 1000;

type X509Crypto = Parameters<typeof x509.cryptoProvider.set>[0];
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type X509Key = Parameters<typeof x509.SubjectKeyIdentifierExtension.create>[0];

x509.cryptoProvider.set(webcrypto as unknown as X509Crypto);

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, algorithm, true, ['sign']);
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** A CA as PEM text: what the cluster bootstrap record carries to every replica. */
export interface CertificateAuthorityPem {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/** A fresh cluster CA (P-256, self-signed). */
export async function createCertificateAuthority(nowMs: number): Promise<CertificateAuthorityPem> {
  const keys = await generateKeys();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=flotilla-ca',
    notBefore: new Date(nowMs - dayMs),
    notAfter: new Date(nowMs + CertificateLifetimes.caDays * dayMs),
    signingAlgorithm,
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as unknown as X509Key),
    ],
  });
  return { certificatePem: certificate.toString('pem'), privateKeyPem: await exportKeyPem(keys.privateKey) };
}

/** The CA kept in `<dataDir>/pki` (single-process servers): made at first start. */
async function loadOrCreateLocalCa(directory: string, nowMs: number): Promise<CertificateAuthorityPem> {
  const certificatePem = await readIfExists(join(directory, 'ca.crt'));
  const privateKeyPem = await readIfExists(join(directory, 'ca.key'));
  if (certificatePem !== null && privateKeyPem !== null) return { certificatePem, privateKeyPem };
  const ca = await createCertificateAuthority(nowMs);
  await writeFile(join(directory, 'ca.key'), ca.privateKeyPem, { mode: 0o600 });
  await writeFile(join(directory, 'ca.crt'), ca.certificatePem);
  return ca;
}

function isIp(name: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(name) || name.includes(':');
}

/** A serving certificate for `names` (DNS names and IPs), signed by `ca`. */
export async function issueServingCertificate(ca: CertificateAuthorityPem, names: readonly string[], nowMs: number): Promise<{ certificatePem: string; privateKeyPem: string }> {
  const caCertificate = new x509.X509Certificate(ca.certificatePem);
  const keys = await generateKeys();
  const certificate = await x509.X509CertificateGenerator.create({
    subject: 'CN=flotilla-apiserver',
    issuer: caCertificate.subject,
    notBefore: new Date(nowMs - dayMs),
    notAfter: new Date(nowMs + CertificateLifetimes.servingDays * dayMs),
    signingAlgorithm,
    publicKey: keys.publicKey as unknown as X509Key,
    signingKey: (await importKeyPem(ca.privateKeyPem)) as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys']['privateKey'],
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((name) => ({ type: isIp(name) ? 'ip' : 'dns', value: name }))),
      await x509.AuthorityKeyIdentifierExtension.create(caCertificate),
    ],
  });
  return { certificatePem: certificate.toString('pem'), privateKeyPem: await exportKeyPem(keys.privateKey) };
}

/**
 * The serving credentials in `<dataDir>/pki`, re-issued when the names or the CA change. With
 * `sharedCa` (a replicated cluster: one CA for every replica) that CA signs and its certificate
 * is written to `pki/ca.crt` for `flotilla kubeconfig`; otherwise a local CA is made at first start.
 */
export async function ensureServingCredentials(dataDir: string, names: readonly string[], nowMs: number, sharedCa?: CertificateAuthorityPem): Promise<ServingCredentials> {
  const directory = join(dataDir, 'pki');
  await mkdir(directory, { recursive: true });
  const ca = sharedCa ?? (await loadOrCreateLocalCa(directory, nowMs));
  if (sharedCa !== undefined) await writeFile(join(directory, 'ca.crt'), sharedCa.certificatePem);
  const sortedNames = [...new Set(names)].sort();
  const wanted = `${sortedNames.join(',')}|${createHash('sha256').update(ca.certificatePem).digest('hex')}`;
  const existing = await readIfExists(join(directory, 'apiserver.crt'));
  const existingKey = await readIfExists(join(directory, 'apiserver.key'));
  if (existing !== null && existingKey !== null && (await readIfExists(join(directory, 'apiserver.names'))) === wanted) {
    return { caCertificatePem: ca.certificatePem, certificatePem: existing, privateKeyPem: existingKey };
  }
  const issued = await issueServingCertificate(ca, sortedNames, nowMs);
  await writeFile(join(directory, 'apiserver.key'), issued.privateKeyPem, { mode: 0o600 });
  await writeFile(join(directory, 'apiserver.crt'), issued.certificatePem);
  await writeFile(join(directory, 'apiserver.names'), wanted);
  return { caCertificatePem: ca.certificatePem, ...issued };
}
