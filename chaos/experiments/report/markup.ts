/** Text for HTML/SVG content and attribute values: the report must stay well-formed whatever names hold. */
export function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** One element with escaped attributes; `children` is already markup (null: self-closing). */
export function element(name: string, attributes: Readonly<Record<string, string | number>>, children: string | null = null): string {
  const attributeText = Object.entries(attributes)
    .map(([key, value]) => ` ${key}="${escapeMarkup(typeof value === 'number' ? formatNumber(value) : value)}"`)
    .join('');
  return children === null ? `<${name}${attributeText}/>` : `<${name}${attributeText}>${children}</${name}>`;
}

/** Coordinates with at most one decimal: smaller files, no float noise. */
function formatNumber(value: number): string {
  return String(Math.round(value * 10) / 10);
}
