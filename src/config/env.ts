/**
 * `${NAME}` substitution in every string of the raw config tree. A variable that is not set is
 * an error at the key that uses it, naming the variable; `$${` writes a literal `${`.
 */
const PLACEHOLDER = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function substituteEnv(raw: unknown, env: NodeJS.ProcessEnv): { value: unknown; errors: string[] } {
  const errors: string[] = [];
  const visit = (node: unknown, path: string[]): unknown => {
    if (typeof node === 'string') return substituteString(node, path, env, errors);
    if (Array.isArray(node)) return node.map((item, i) => visit(item, [...path, String(i)]));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = visit(child, [...path, key]);
      return out;
    }
    return node;
  };
  return { value: visit(raw, []), errors };
}

function substituteString(text: string, path: string[], env: NodeJS.ProcessEnv, errors: string[]): string | undefined {
  let missing = false;
  const result = text.replace(PLACEHOLDER, (match, name: string | undefined) => {
    if (match === '$${') return '${';
    const value = name === undefined ? undefined : env[name];
    if (value === undefined) {
      errors.push(`${path.join('.')}: environment variable ${name} is not set`);
      missing = true;
      return '';
    }
    return value;
  });
  return missing ? undefined : result;
}
