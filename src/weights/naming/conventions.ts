/** The naming conventions effnet reads, in the order detection tries them. */
import type { ConventionFamily } from './convention.js';
import { effnetConvention } from './effnet-convention.js';
import { tfjsConvention } from './tfjs-convention.js';
import { timmConvention } from './timm-convention.js';
import { torchvisionConvention } from './torchvision/torchvision-convention.js';

export const conventions: readonly ConventionFamily[] = [effnetConvention, tfjsConvention, torchvisionConvention, timmConvention];
export const conventionNames = conventions.map((c) => c.name);

/** The convention whose keys these are, or undefined when none recognises them. */
export function detectConvention(keys: readonly string[]): ConventionFamily | undefined {
  return conventions.find((c) => c.recognises(keys));
}

export function conventionNamed(name: string): ConventionFamily | undefined {
  return conventions.find((c) => c.name === name);
}
