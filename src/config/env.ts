/**
 * `${NAME}` substitution in every string of the raw config tree. A variable that is not set is
 * an error at the key that uses it, naming the variable; `$${` writes a literal `${`.
 */
const PLACEHOLDER = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** A key path as error lines show it: dotted, an empty or space-padded key quoted so the line still names it. */
export function formatKeyPath(segments: readonly PropertyKey[]): string {
  return segments
    .map((segment) => {
      const text = String(segment);
      return text === '' || text.trim() !== text ? JSON.stringify(text) : text;
    })
    .join('.');
}

export function substituteEnv(raw: unknown, env: NodeJS.ProcessEnv): { value: unknown; errors: string[] } {
  const errors: string[] = [];
  // A YAML alias can name its own ancestor (`x: &a [*a]`); such a tree is cut there, with an error.
  const ancestors = new Set<object>();
  const visit = (node: unknown, path: string[]): unknown => {
    if (typeof node === 'string') return substituteString(node, path, env, errors);
    if (node === null || typeof node !== 'object') return node;
    if (ancestors.has(node)) {
      errors.push(`${formatKeyPath(path)}: a YAML alias refers to the node that contains it`);
      return undefined;
    }
    ancestors.add(node);
    let out: unknown;
    if (Array.isArray(node)) out = node.map((item, i) => visit(item, [...path, String(i)]));
    else {
      const copy: Record<string, unknown> = {};
      // defineProperty, not assignment: a `__proto__` key stays an own (unknown) key instead of becoming the prototype.
      for (const [key, child] of Object.entries(node)) Object.defineProperty(copy, key, { value: visit(child, [...path, key]), enumerable: true, writable: true, configurable: true });
      out = copy;
    }
    ancestors.delete(node);
    return out;
  };
  return { value: visit(raw, []), errors };
}

function substituteString(text: string, path: string[], env: NodeJS.ProcessEnv, errors: string[]): string | undefined {
  let missing = false;
  const result = text.replace(PLACEHOLDER, (match, name: string | undefined) => {
    if (match === '$${') return '${';
    const value = name === undefined ? undefined : env[name];
    if (value === undefined) {
      errors.push(`${formatKeyPath(path)}: environment variable ${name} is not set`);
      missing = true;
      return '';
    }
    return value;
  });
  return missing ? undefined : result;
}
