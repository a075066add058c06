/**
 * --init zeros is structure only: each target holds the layers and every weight's name and shape, no weight
 * bytes, and says so in its metadata; effnet run refuses it (exit 2) before a runtime sees the missing weights.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ABSENT_DATA_LOCATION, STRUCTURE_ONLY } from '../../backends/structure-only.js';
import { cli } from '../cli/run-cli.js';
import { freshDir } from './safety-helpers.js';

const b0 = 'specs/efficientnet-b0.effnet';

describe('compile --init zeros', () => {
  it.each([
    ['onnx', 'z.onnx', [] as string[]],
    ['tfjs', 'z-tfjs', ['effnet-manifest.json', 'model.json']],
    ['pytorch', 'z-pt', ['effnet-manifest.json', 'load.py', 'model.py']],
  ])('%s: no weight file, kilobytes instead of the 21 MB of a real B0', async (target, name, files) => {
    const d = freshDir(`structure-${target}`);
    const out = path.join(d, name);
    const r = await cli('compile', b0, '--init', 'zeros', '--target', target, '-o', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('structure only: no weights');
    expect(JSON.parse(r.stdout).outputs[0]).toMatchObject({ structureOnly: true });
    if (target === 'onnx') {
      expect(readdirSync(d)).toEqual([name]);
      expect(statSync(out).size).toBeLessThan(200_000);
      const bytes = readFileSync(out, 'latin1');
      expect(bytes).toContain(STRUCTURE_ONLY);
      expect(bytes).toContain(ABSENT_DATA_LOCATION);
      expect(bytes).toContain('stem_conv');
    } else {
      expect(readdirSync(out).sort()).toEqual(files);
    }
    if (target === 'tfjs') {
      const json = JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8'));
      expect(json.weightsManifest[0].paths).toEqual([]);
      expect(json.weightsManifest[0].weights.length).toBeGreaterThan(100);
      expect(json.userDefinedMetadata['effnet.weights']).toEqual({ structureOnly: true, weights: STRUCTURE_ONLY });
    }
  });

  it('--init random still writes every weight', async () => {
    const d = freshDir('structure-random');
    const out = path.join(d, 'r.onnx');
    expect((await cli('compile', b0, '-o', out)).code).toBe(0);
    expect(statSync(out).size).toBeGreaterThan(20_000_000);
  });
});

describe('effnet run refuses a structure-only model', () => {
  it.each([['onnx', 'z.onnx'], ['tfjs', 'z-tfjs']])('%s: exit 2, saying what it is and how to get weights', async (target, name) => {
    const d = freshDir(`structure-run-${target}`);
    const out = path.join(d, name);
    expect((await cli('compile', 'specs/mobilenet-v1.effnet', '--init', 'zeros', '--input-size', '32', '--target', target, '-o', out)).code).toBe(0);
    const r = await cli('run', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`effnet: error: ${out} is structure only (compiled with --init zeros): it holds no weights to run. Compile it with --init random (the default) or --weights FILE`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
