/** Number formatting for reports: fixed, locale-independent, so outputs diff cleanly. */

/** 5288548 → "5,288,548". */
export function withSeparators(n: number): string {
  const s = Math.round(n).toString();
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 5288548 → "5.29 M", 385814752 → "385.81 M", 4089184256 → "4.09 G" (3 significant figures or more). */
export function si(n: number): string {
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'K']];
  for (const [scale, unit] of units) {
    if (Math.abs(n) >= scale) {
      const v = n / scale;
      return `${v.toFixed(v >= 100 ? 1 : 2)} ${unit}`;
    }
  }
  return String(Math.round(n));
}

/** MACs in G with 3 decimals, the unit papers use: 385814752 → "0.386 G". */
export function giga(n: number): string {
  return `${(n / 1e9).toFixed(3)} G`;
}

export function shapeText(shape: readonly number[]): string {
  return shape.join('x');
}

/** A part of a whole as a percentage with one decimal ('24.2%'); '' for a zero part, so tables stay quiet. */
export function share(part: number, whole: number): string {
  if (part === 0 || whole === 0) return '';
  const p = (100 * part) / whole;
  return p < 0.05 ? '<0.1%' : `${p.toFixed(1)}%`;
}
