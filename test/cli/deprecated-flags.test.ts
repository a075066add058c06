/** Every renamed flag still works for its minor version, with a warning that names the new spelling. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deprecatedFlags } from '../../src/cli/deprecated-flags.js';
import { cli } from './run-cli.js';

const version = JSON.parse(readFileSync('package.json', 'utf8')).version as string;
const older = (a: string, b: string) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if (x![i] !== y![i]) return x![i]! < y![i]!;
  return false;
};

describe('deprecated flags', () => {
  it.each(deprecatedFlags.map((d) => [d.old, d]))('%s: works as the new spelling, and warns', async (_old, d) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'effnet-renamed-'));
    const spelled = (flags: string) => ['compile', 'specs/mobilenet-v1.effnet', '--input-size', '32', ...flags.split(' '), '-o', path.join(dir, `${flags.replace(/\W+/g, '')}.onnx`), '--json'];
    const oldRun = await cli(...spelled(d.old));
    const newRun = await cli(...spelled(d.replacement));
    expect(oldRun.code, oldRun.stderr).toBe(0);
    expect(oldRun.stderr).toContain(`warning: ${d.old} is deprecated since ${d.since} and stops working in ${d.removedIn}: write ${d.replacement}`);
    expect(newRun.code, newRun.stderr).toBe(0);
    expect(newRun.stderr).not.toContain('is deprecated');
    const what = (r: { stdout: string }) => JSON.parse(r.stdout).outputs.map((o: { bytes: number }) => o.bytes);
    expect(what(oldRun)).toEqual(what(newRun));
  });

  it.each(deprecatedFlags.map((d) => [d.old, d]))('%s: still inside its window (removed in a later version than this one)', (_old, d) => {
    expect(older(version, d.removedIn)).toBe(true);
  });
});
