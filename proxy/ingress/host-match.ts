/** The host of a Host header (or :authority), lowercased, without a port or a trailing dot. */
export function normalizeHost(header: string | undefined): string {
  if (header === undefined) return '';
  let host = header.trim().toLowerCase();
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    return close < 0 ? host : host.slice(0, close + 1);
  }
  const colon = host.lastIndexOf(':');
  if (colon >= 0) host = host.slice(0, colon);
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/**
 * Whether a request host matches an Ingress rule host: exact (case-insensitive), or a wildcard
 * `*.example.com` that covers exactly one more label (`a.example.com`, not `a.b.example.com`, not
 * `example.com`), as networking.k8s.io/v1 defines it.
 */
export function hostMatches(ruleHost: string, requestHost: string): boolean {
  const rule = ruleHost.toLowerCase();
  if (!rule.startsWith('*.')) return rule === requestHost;
  const suffix = rule.slice(1);
  if (!requestHost.endsWith(suffix)) return false;
  const label = requestHost.slice(0, requestHost.length - suffix.length);
  return label !== '' && !label.includes('.');
}
