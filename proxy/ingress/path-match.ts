import type { PathType } from '../model/ingress-view.ts';

/** The path's elements: split on "/", empty ones (from "//" or a trailing "/") dropped. */
function elementsOf(path: string): string[] {
  return path.split('/').filter((element) => element !== '');
}

/**
 * Whether a request path matches an Ingress path, as networking.k8s.io/v1 defines it: Exact
 * compares the whole path (case-sensitive, trailing slash significant); Prefix compares element by
 * element, so `/foo` matches `/foo`, `/foo/` and `/foo/bar` but not `/foobar`, and a trailing slash
 * on either side is ignored. ImplementationSpecific is treated as Prefix here.
 */
export function pathMatches(pathType: PathType, rulePath: string, requestPath: string): boolean {
  if (pathType === 'Exact') return rulePath === requestPath;
  const ruleElements = elementsOf(rulePath);
  const requestElements = elementsOf(requestPath);
  if (ruleElements.length > requestElements.length) return false;
  return ruleElements.every((element, index) => requestElements[index] === element);
}

/** The path part of a request target (no query, no fragment); "/" when empty. */
export function requestPathOf(url: string): string {
  const end = url.search(/[?#]/);
  const path = end < 0 ? url : url.slice(0, end);
  return path === '' ? '/' : path;
}
