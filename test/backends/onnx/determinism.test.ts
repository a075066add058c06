/**
 * The same spec and flags give a byte-identical file; another seed gives other weights and the same
 * structure; --weights zeros writes zeros; the metadata records what produced the file.
 */
import { describe, expect, it } from 'vitest';
import { onnxBackend } from '../../../backends/onnx/onnx-backend.js';
import { version } from '../../../src/version.js';
import { compileSpec } from '../../helpers.js';
import { decode, defaults, emitBytes, sha256 } from './onnx-helpers.js';

describe('determinism', { timeout: 60_000 }, () => {
  const b0 = () => compileSpec('efficientnet-b0.effnet').graph;

  it('two emits of the same spec and flags are byte-identical (also across compilations)', () => {
    const a = sha256(onnxBackend.emit(b0(), defaults));
    const b = sha256(onnxBackend.emit(b0(), defaults));
    expect(a).toBe(b);
    // And a second pass over the same artifact's chunks gives the same bytes again.
    const art = onnxBackend.emit(b0(), { ...defaults, seed: 5 });
    expect(sha256(art)).toBe(sha256(art));
  });

  it('a different seed changes the weights, not the structure', () => {
    const g = b0();
    const m0 = decode(emitBytes(g, { seed: 0 }));
    const m1 = decode(emitBytes(g, { seed: 1 }));
    expect(sha256(onnxBackend.emit(g, { ...defaults, seed: 1 }))).not.toBe(sha256(onnxBackend.emit(g, defaults)));
    expect(m1.graph!.node).toEqual(m0.graph!.node);
    const raw = (m: typeof m0, name: string) => m.graph!.initializer.find((t) => t.name === name)!.rawData;
    expect(raw(m1, 'stem_conv/kernel')).not.toEqual(raw(m0, 'stem_conv/kernel'));
    expect(raw(m1, 'predictions/kernel')).not.toEqual(raw(m0, 'predictions/kernel'));
  });

  it('--weights zeros writes a structure-only file with the same tensors', () => {
    const g = b0();
    const zeros = decode(emitBytes(g, { weights: 'zeros' }));
    for (const t of zeros.graph!.initializer) {
      if (t.name.startsWith('relu6/')) continue;
      expect(t.rawData!.every((b) => b === 0), t.name).toBe(true);
    }
    const sizes = (m: typeof zeros) => m.graph!.initializer.map((t) => [t.name, t.rawData!.length]);
    expect(sizes(zeros)).toEqual(sizes(decode(emitBytes(g))));
  });

  it('random weights follow the reference initialisers (conv fan-out normal, dense uniform)', () => {
    const g = b0();
    const m = decode(emitBytes(g));
    const values = (name: string) => {
      const t = m.graph!.initializer.find((x) => x.name === name)!;
      const raw = t.rawData!;
      return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    };
    // top_conv: 1x1, 1280 filters, no groups: std sqrt(2 / 1280); folded with identity BN (scale ~1).
    const top = values('top_conv/kernel');
    const std = Math.sqrt(top.reduce((s, v) => s + v * v, 0) / top.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / 1280) / Math.sqrt(1 + 1e-3), 3);
    const dense = values('predictions/kernel');
    const limit = 1 / Math.sqrt(1000);
    const largest = dense.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(largest).toBeLessThanOrEqual(limit);
    expect(largest).toBeGreaterThan(0.99 * limit);
  });

  it('metadata_props record compiler version, spec hash, scaling, params and MACs; names are Keras-style', () => {
    const c = compileSpec('efficientnet-b0.effnet', { variant: 'b2' });
    const m = decode(emitBytes(c.graph, { specHash: 'abc123' }));
    const meta = Object.fromEntries(m.metadataProps.map((p) => [p.key, p.value]));
    expect(meta['effnet.version']).toBe(version);
    expect(meta['effnet.spec_sha256']).toBe('abc123');
    expect(JSON.parse(meta['effnet.scaling']!)).toMatchObject({ variant: 'b2', width: 1.1, depth: 1.2, input: [260, 260] });
    expect(Number(meta['effnet.params'])).toBe(c.report.total.params);
    expect(Number(meta['effnet.macs'])).toBe(c.report.total.macs);
    expect(m.producerName).toBe('effnet');
    expect(Number(m.irVersion)).toBe(8);
    expect(Number(m.opsetImport[0]!.version)).toBe(17);
    expect(m.graph!.input.map((i) => i.name)).toEqual(['input']);
    expect(m.graph!.output.map((i) => i.name)).toEqual(['logits']);
    expect(m.graph!.node.map((n) => n.name)).toContain('block2a_expand_conv');
    expect(m.graph!.initializer.map((t) => t.name)).toContain('block2a_expand_conv/kernel');
    // Without a file hash the spec's content is hashed: stable, and different for a different model.
    const h = (v?: string) => decode(emitBytes(compileSpec('efficientnet-b0.effnet', v ? { variant: v } : {}).graph)).metadataProps.find((p) => p.key === 'effnet.spec_sha256')!.value;
    expect(h()).toMatch(/^[0-9a-f]{64}$/);
    expect(h()).toBe(h());
    expect(h('b1')).not.toBe(h());
  });

  it('value_info covers every intermediate tensor', () => {
    const m = decode(emitBytes(b0()));
    const produced = m.graph!.node.flatMap((n) => n.output).filter((t) => t !== 'logits');
    expect(m.graph!.valueInfo.map((v) => v.name).sort()).toEqual([...produced].sort());
  });
});
