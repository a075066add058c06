/**
 * The name a scaled model goes by, so a B3 written out by `scale --emit` or compiled to ONNX is not called
 * efficientnet-b0. It stays a valid .effnet name (letters, digits, `_`, inner `-`), so an emitted spec parses.
 *
 *   efficientnet-b0 + variant b3     → efficientnet-b3     (the variant replaces the base's member suffix)
 *   resnet + variant resnet101       → resnet101           (the variant already names the family)
 *   mobilenet-v2 + variant w035      → mobilenet-v2-w035
 *   efficientnet-b0 + phi 1.5        → efficientnet-b0-phi1_5
 *   efficientnet-b0 + width 1.2 ...  → efficientnet-b0-w1_2-d1_4-300px
 */
import type { ModelSpec } from './spec.js';

/** A number as a name part: 1.5 → 1_5, -0.25 → m0_25 (a name part holds no '.' and no leading '-'). */
const part = (n: number) => `${n < 0 ? 'm' : ''}${String(+Math.abs(n).toFixed(4)).replace('.', '_')}`;

const letters = (s: string) => /^[A-Za-z]+/.exec(s)?.[0] ?? '';

function variantName(model: string, variant: string): string {
  const words = model.split('-');
  // resnet + resnet101, mnasnet + mnasnet0_5: the variant is already a full name.
  if (variant.toLowerCase().startsWith(words[0]!.toLowerCase())) return variant;
  // efficientnet-b0 + b3: the base's last part is its own member name, and the variant is a sibling of it.
  const last = words[words.length - 1]!;
  if (words.length > 1 && letters(last) !== '' && letters(last) === letters(variant)) return [...words.slice(0, -1), variant].join('-');
  return `${model}-${variant}`;
}

export function scaledModelName(spec: ModelSpec): string {
  const a = spec.applied;
  const v = a.variant !== undefined ? spec.variants.find((x) => x.name === a.variant) : undefined;
  const parts = [a.variant !== undefined ? variantName(spec.name, a.variant) : spec.name];
  // What the variant sets is in its name; scaling applied on top of it (or without one) is spelled out.
  if (a.phi !== undefined) {
    if (v?.phi === undefined) parts.push(`phi${part(a.phi)}`);
  } else {
    if (a.width !== (v?.width ?? 1)) parts.push(`w${part(a.width)}`);
    if (a.depth !== (v?.depth ?? 1)) parts.push(`d${part(a.depth)}`);
    const resized = v?.resolution !== undefined ? spec.input.height !== v.resolution : a.resolution !== 1;
    if (resized) parts.push(`${spec.input.height}px`);
  }
  return parts.join('-');
}
