/**
 * `@default` tags say the default as behaviour (`@default - one NAT gateway per AZ`, `@default
 * 'never' - model servers load slowly`), which the generator copies into `default` as a string.
 * An editor would offer that sentence as the value: a default that is not a plain number or boolean
 * moves into the description instead, where an editor shows it on hover.
 */
export function moveProseDefaults(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(moveProseDefaults);
  if (typeof node !== 'object' || node === null) return node;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'default') continue;
    result[key] = key === 'enum' || key === 'const' ? value : moveProseDefaults(value);
  }
  if (!('default' in node)) return result;
  const value = (node as { default: unknown }).default;
  if (typeof value === 'number' || typeof value === 'boolean') return { ...result, default: value };
  const text = typeof value === 'string' ? value.replace(/^-\s*/, '') : JSON.stringify(value);
  const description = typeof result.description === 'string' ? `${result.description}\n\n` : '';
  return { ...result, description: `${description}Default: ${text}` };
}
