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
    // The unit is chosen after rounding: 999,999 is "1.00 M", not "1000.0 K".
    if (Math.abs(n) >= scale * 0.99995) {
      const v = n / scale;
      return `${v.toFixed(Math.abs(v) >= 99.995 ? 1 : 2)} ${unit}`;
    }
  }
  return String(Math.round(n));
}

/**
 * A model-sized count in the unit that fits: G with 3 decimals, the unit papers use, from 0.1 G up
 * (385814752 → "0.386 G"); below that, as `si` ("10.31 M", "482.0 K"), so a small model never reads "0.000 G".
 */
export function count(n: number): string {
  return Math.abs(n) >= 1e8 ? `${(n / 1e9).toFixed(3)} G` : si(n);
}

/** A file size in the unit that fits (decimal units, as `ls -h --si`): "512 bytes", "34.6 kB", "21.2 MB", "1.07 GB". */
export function bytesText(n: number): string {
  if (n < 1e3) return `${n} byte${n === 1 ? '' : 's'}`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
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
