/** `{{name}}` in a probe URL: an address the cluster names (the ingress of a node started for the run). */
const placeholderPattern = /\{\{\s*([a-z0-9-]+)\s*\}\}/g;

/** The URL with each placeholder replaced; names the cluster does not have are listed in `unknown`. */
export function resolveProbeUrl(url: string, addresses: Readonly<Record<string, string>>): { url: string; unknown: string[] } {
  const unknown: string[] = [];
  const resolved = url.replace(placeholderPattern, (whole, name: string) => {
    const address = addresses[name];
    if (address === undefined) {
      unknown.push(name);
      return whole;
    }
    return address;
  });
  return { url: resolved, unknown };
}
