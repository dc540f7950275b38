/**
 * @peculiar/x509 uses tsyringe, which refuses to load without the `reflect-metadata` polyfill
 * (it only needs get/define of metadata). Rather than add a dependency, this installs that small
 * API when it is missing. Import it before '@peculiar/x509'.
 */
type MetadataTarget = object;
const store = new WeakMap<MetadataTarget, Map<string | symbol, Map<unknown, unknown>>>();

function metadataMap(target: MetadataTarget, property: string | symbol | undefined, create: boolean): Map<unknown, unknown> | undefined {
  let byProperty = store.get(target);
  if (byProperty === undefined) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  const key = property ?? '';
  let map = byProperty.get(key);
  if (map === undefined && create) {
    map = new Map();
    byProperty.set(key, map);
  }
  return map;
}

function getOwnMetadata(key: unknown, target: MetadataTarget, property?: string | symbol): unknown {
  return metadataMap(target, property, false)?.get(key);
}

function getMetadata(key: unknown, target: MetadataTarget, property?: string | symbol): unknown {
  for (let current: MetadataTarget | null = target; current !== null; current = Object.getPrototypeOf(current) as MetadataTarget | null) {
    const value = getOwnMetadata(key, current, property);
    if (value !== undefined) return value;
  }
  return undefined;
}

function defineMetadata(key: unknown, value: unknown, target: MetadataTarget, property?: string | symbol): void {
  metadataMap(target, property, true)?.set(key, value);
}

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect['getMetadata'] !== 'function') {
  Object.assign(reflect, {
    getMetadata,
    getOwnMetadata,
    defineMetadata,
    hasMetadata: (key: unknown, target: MetadataTarget, property?: string | symbol) => getMetadata(key, target, property) !== undefined,
    hasOwnMetadata: (key: unknown, target: MetadataTarget, property?: string | symbol) => getOwnMetadata(key, target, property) !== undefined,
    metadata: (key: unknown, value: unknown) => (target: MetadataTarget, property?: string | symbol) => defineMetadata(key, value, target, property),
  });
}

export {};
