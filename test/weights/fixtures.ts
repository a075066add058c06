/**
 * The torchvision checkpoints the weights tests compile, built once (torchvision-fixtures.py) and shared by
 * every test file that needs them: vitest runs files in parallel workers, so the first to arrive builds them
 * under a lock directory and the others wait for its `done` marker.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers.js';

export const python = '/usr/bin/python3';
export const torchAvailable = spawnSync(python, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0;
export const SIZE = 64;

/** [torchvision model, spec, variant]. */
export type FixtureModel = readonly [string, string, string | undefined];

export const models: readonly FixtureModel[] = [
  ['efficientnet_b0', 'efficientnet-b0.effnet', undefined],
  ['efficientnet_b1', 'efficientnet-b0.effnet', 'b1'],
  ['mobilenet_v2', 'mobilenet-v2.effnet', undefined],
  ['mobilenet_v3_large', 'mobilenet-v3-large.effnet', undefined],
  ['mnasnet1_0', 'mnasnet.effnet', undefined],
  ['resnet18', 'resnet.effnet', 'resnet18'],
  ['resnet50', 'resnet.effnet', 'resnet50'],
];

/** The families written as user-defined blocks (specs/resnext.effnet and the rest), and the two newer MobileNet and EfficientNet members. */
export const familyModels: readonly FixtureModel[] = [
  ['resnext50_32x4d', 'resnext.effnet', 'resnext50_32x4d'],
  ['wide_resnet50_2', 'resnext.effnet', 'wide_resnet50_2'],
  ['convnext_tiny', 'convnext.effnet', 'convnext_tiny'],
  ['densenet121', 'densenet.effnet', 'densenet121'],
  ['regnet_y_400mf', 'regnet.effnet', 'regnet_y_400mf'],
  ['regnet_x_400mf', 'regnet.effnet', 'regnet_x_400mf'],
  ['shufflenet_v2_x1_0', 'shufflenet-v2.effnet', 'shufflenet_v2_x1_0'],
  ['mobilenet_v3_small', 'mobilenet-v3-small.effnet', undefined],
  ['efficientnet_v2_s', 'efficientnet-v2.effnet', 's'],
];

const script = path.join(repoRoot, 'test/weights/torchvision-fixtures.py');

/** The directory holding every listed model's .pth, .safetensors, .input.bin and .logits.bin. */
export async function torchvisionFixtures(list: readonly FixtureModel[] = models): Promise<string> {
  const key = createHash('sha256').update(readFileSync(script)).update(JSON.stringify(list)).update(String(SIZE)).digest('hex').slice(0, 12);
  const dir = path.join(tmpdir(), `effnet-torchvision-fixtures-${key}`);
  const done = path.join(dir, 'done');
  if (existsSync(done)) return dir;
  const lock = `${dir}.lock`;
  try {
    mkdirSync(lock);
  } catch {
    for (let i = 0; i < 3000 && !existsSync(done); i++) await new Promise((r) => setTimeout(r, 100));
    if (!existsSync(done)) throw new Error(`the torchvision fixtures in ${dir} were not built in time (another test file holds ${lock})`);
    return dir;
  }
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync(python, [script, dir, ...list.flatMap(([m]) => [m, String(SIZE)])], { stdio: 'inherit' });
    writeFileSync(done, '');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return dir;
}

export function floats(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}
