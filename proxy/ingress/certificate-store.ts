import { createSecureContext, type SecureContext } from 'node:tls';
import type { Logger } from '../../common/index.ts';
import { certificateFor, type CertificateEntry } from './ingress-tls.ts';

interface LoadedCertificate {
  readonly hosts: readonly string[];
  readonly context: SecureContext;
}

/**
 * The HTTPS listener's certificates as TLS contexts, chosen per connection by SNI. Contexts are
 * rebuilt only when a certificate's PEM changes (building one parses the key); a certificate that
 * does not parse is logged and left out.
 */
export class CertificateStore {
  private loaded: LoadedCertificate[] = [];
  private readonly cache = new Map<string, SecureContext>();

  constructor(private readonly logger: Logger) {}

  update(entries: readonly CertificateEntry[]): void {
    const next: LoadedCertificate[] = [];
    const used = new Set<string>();
    for (const entry of entries) {
      const identity = `${entry.certificatePem}\n${entry.privateKeyPem}`;
      used.add(identity);
      let context = this.cache.get(identity);
      if (context === undefined) {
        try {
          context = createSecureContext({ cert: entry.certificatePem, key: entry.privateKeyPem });
        } catch (error) {
          this.logger.warn({ secret: entry.secretKey, error: error instanceof Error ? error.message : String(error) }, 'TLS secret does not load');
          continue;
        }
        this.cache.set(identity, context);
      }
      next.push({ hosts: entry.hosts, context });
    }
    for (const identity of this.cache.keys()) if (!used.has(identity)) this.cache.delete(identity);
    this.loaded = next;
  }

  /** For tls.Server's SNICallback: the context for the name, or an error (the handshake then fails). */
  select(serverName: string): SecureContext | null {
    return certificateFor(this.loaded, serverName)?.context ?? null;
  }

  get size(): number {
    return this.loaded.length;
  }
}
