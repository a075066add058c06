/**
 * The CPU-only onnxruntime-node install without npm's "Unknown project config" warning: the skip is an
 * environment variable that .ci/run sets (and the README tells users to), read by onnxruntime-node's own
 * install script; the project's .npmrc, if there is one, holds no key npm does not know.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const script = (name: string) => path.join(path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json')), 'script', name);
const ciRun = readFileSync(path.join(repoRoot, '.ci/run'), 'utf8');
const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

describe('installing onnxruntime-node CPU-only', () => {
  it('npm reads the project config without a warning', () => {
    const r = spawnSync(npm, ['config', 'get', 'registry'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'warn' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/Unknown (project|env|cli) config/);
  });

  it('.npmrc has no onnxruntime-node key', () => {
    const npmrc = path.join(repoRoot, '.npmrc');
    if (existsSync(npmrc)) expect(readFileSync(npmrc, 'utf8')).not.toMatch(/onnxruntime/);
  });

  it('.ci/run exports ONNXRUNTIME_NODE_INSTALL=skip before npm ci', () => {
    const set = ciRun.indexOf('export ONNXRUNTIME_NODE_INSTALL=skip');
    expect(set).toBeGreaterThan(-1);
    expect(set).toBeLessThan(ciRun.indexOf('npm ci'));
  });

  it("is the variable onnxruntime-node's install script reads, and skip makes it exit before any download", () => {
    expect(readFileSync(script('install-utils.js'), 'utf8')).toContain('process.env.ONNXRUNTIME_NODE_INSTALL');
    // No proxy and no registry: a download attempt could not succeed quickly, so a clean fast exit is the skip.
    const r = spawnSync(process.execPath, [script('install.js')], { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH, ONNXRUNTIME_NODE_INSTALL: 'skip', HTTPS_PROXY: 'http://127.0.0.1:9' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
  });

  it('the README says to set it, for a clone and for a project that adds onnxruntime-node', () => {
    expect(readme).toContain('export ONNXRUNTIME_NODE_INSTALL=skip');
    expect(readme.match(/ONNXRUNTIME_NODE_INSTALL=skip/g)!.length).toBeGreaterThanOrEqual(3);
  });
});
