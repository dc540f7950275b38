/**
 * Kubernetes' `$(VAR)` expansion (k8s.io/kubernetes third_party/forked/golang/expansion), byte for
 * byte: `$$` is an escaped `$`; `$(NAME)` is replaced by the mapping, and a name the mapping does
 * not know is left as the literal `$(NAME)`; an unterminated `$(` and any other `$x` stay as written.
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let output = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    output += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    const read = readVariableName(rest);
    output += read.isVariable ? (lookup(read.text) ?? `$(${read.text})`) : read.text;
    cursor += read.advance;
    checkpoint = cursor + 1;
  }
  return output + input.slice(checkpoint);
}

function readVariableName(input: string): { text: string; isVariable: boolean; advance: number } {
  if (input[0] === '$') return { text: '$', isVariable: false, advance: 1 };
  if (input[0] === '(') {
    const closer = input.indexOf(')', 1);
    if (closer >= 0) return { text: input.slice(1, closer), isVariable: true, advance: closer + 1 };
    return { text: '$(', isVariable: false, advance: 1 };
  }
  return { text: `$${input[0] ?? ''}`, isVariable: false, advance: 1 };
}

/** A mapping over several maps, first hit wins (Kubernetes' MappingFuncFor). */
export function mappingFor(...contexts: ReadonlyArray<ReadonlyMap<string, string>>): (name: string) => string | undefined {
  return (name) => {
    for (const context of contexts) {
      const value = context.get(name);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}
