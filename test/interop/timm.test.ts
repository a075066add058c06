/** timm / TF-official block strings: decoding, encoding, and B0 end to end. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBlockString, encodeBlockString } from '../../src/interop/timm-block-strings.js';
import { compile } from '../../src/pipeline.js';
import { cli } from '../cli/run-cli.js';
import { compileSpec } from '../helpers.js';

// timm's efficientnet_b0 arch_def (timm/models/efficientnet.py, _gen_efficientnet).
const b0Timm = 'ds_r1_k3_s1_e1_c16_se0.25,ir_r2_k3_s2_e6_c24_se0.25,ir_r2_k5_s2_e6_c40_se0.25,ir_r3_k3_s2_e6_c80_se0.25,ir_r3_k5_s1_e6_c112_se0.25,ir_r4_k5_s2_e6_c192_se0.25,ir_r1_k3_s1_e6_c320_se0.25';
// The TF official builder's strings for B0 (efficientnet_builder.py).
const b0Tf = 'r1_k3_s11_e1_i32_o16_se0.25,r2_k3_s22_e6_i16_o24_se0.25,r2_k5_s22_e6_i24_o40_se0.25,r3_k3_s22_e6_i40_o80_se0.25,r3_k5_s11_e6_i80_o112_se0.25,r4_k5_s22_e6_i112_o192_se0.25,r1_k3_s11_e6_i192_o320_se0.25';

describe('decodeBlockString', () => {
  it.each([
    ['ir_r2_k3_s2_e6_c24_se0.25', { op: 'mbconv', repeats: 2, kernel: 3, stride: 2, expand: 6, channels: 24, se: 0.25, skip: true }],
    ['ds_r1_k3_s1_e1_c16_se0.25', { op: 'mbconv', repeats: 1, kernel: 3, stride: 1, expand: 1, channels: 16, se: 0.25, skip: true }],
    ['dsa_r2_k3_s2_c128', { op: 'dwsep', repeats: 2, kernel: 3, stride: 2, channels: 128, skip: false }],
    ['er_r2_k3_s2_e4_c48', { op: 'fused_mbconv', repeats: 2, kernel: 3, stride: 2, expand: 4, channels: 48, skip: true }],
    ['ir_r1_k5_s2_e3_c40_se0.25_nre_noskip', { op: 'mbconv', act: 'relu', skip: false }],
    ['r3_k5_s22_e6_i40_o80_se0.25', { op: 'mbconv', repeats: 3, kernel: 5, stride: 2, expand: 6, channels: 80 }],
    // timm's `skip` forces a shortcut: EfficientNetV2's first stage is a conv with a residual, torchvision's
    // FusedMBConv with expand 1; a plain `cn` has none.
    ['cn_r2_k3_s1_e1_c24_skip', { op: 'fused_mbconv', repeats: 2, kernel: 3, stride: 1, expand: 1, channels: 24, skip: true }],
    ['cn_r1_k3_s2_c32', { op: 'conv', repeats: 1, kernel: 3, stride: 2, channels: 32, skip: false }],
    ['ir_r1_k3_s1_e6_c16_skip', { op: 'mbconv', expand: 6, skip: true }],
  ] as const)('%s', (text, expected) => expect(decodeBlockString(text)).toMatchObject(expected));

  it.each([
    ['xx_r1_k3_s1_c16', /unknown block type 'xx'/],
    ['ir_r1_k3_s1_c16_q7', /unknown option 'q7'/],
    ['ir_r1_k3_s1_c16_nzz', /unknown activation code 'zz'/],
    ['ir_r1_k3.5_s1_c16', /mixed kernels/],
    ['ir_r1_k3_s1_e6', /missing output channels/],
    ['ir_r1_k3_s12_c16', /two equal digits/],
    ['ir_r1_k3_s1_c16_se0.25_se0.5', /option 'se' given twice/],
    ['ir_r1_k3_s1_c16_skip_noskip', /'noskip' after 'skip': give one of them/],
    ['ir_r2_k3_s2_e6_c24_sx0.25', /unknown option 'sx0.25'/],
    ['dsa_r1_k3_s1_c16_skip', /a 'dsa' block never has a shortcut/],
    ['cn_r1_k3_s1_e4_c16_skip', /a 'cn' block has no expansion/],
  ])('refuses %s', (text, message) => expect(() => decodeBlockString(text)).toThrow(message));

  it('encodes what it decodes', () => {
    for (const s of b0Timm.split(',')) expect(encodeBlockString({ ...decodeBlockString(s), se: { ratio: 0.25, base: 'input' } })).toBe(s);
  });
});

describe('effnet import --timm / export --timm', () => {
  it.each([['timm', b0Timm], ['TF official', b0Tf]])("EfficientNet-B0's %s block strings give the spec's figures exactly", async (_kind, strings) => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'effnet-')), 'b0.effnet');
    const r = await cli('import', '--timm', strings, '--name', 'b0', '-o', out);
    expect(r.code, r.stderr).toBe(0);
    const imported = compile(out, readFileSync(out)).report!.total;
    const ours = compileSpec('efficientnet-b0.effnet').report.total;
    expect(imported.params).toBe(5_288_548);
    expect(imported).toEqual(ours);
  });

  it('exports our B0 as timm writes it, and B3 scaled', async () => {
    expect((await cli('export', '--timm', 'specs/efficientnet-b0.effnet')).stdout.trim()).toBe(b0Timm);
    expect((await cli('export', '--timm', 'specs/efficientnet-b0.effnet', '--variant', 'b3')).stdout.trim()).toMatch(/^ds_r2_k3_s1_e1_c24_se0.25,ir_r3_k3_s2_e6_c32_se0.25,/);
  });

  it("exports EfficientNetV2-S as timm's efficientnetv2_s arch_def, and imports it back to the same figures", async () => {
    // timm/models/efficientnet.py, _gen_efficientnetv2_s (the empty seventh stage of the spec has no string).
    const v2s = 'cn_r2_k3_s1_e1_c24_skip,er_r4_k3_s2_e4_c48,er_r4_k3_s2_e4_c64,ir_r6_k3_s2_e4_c128_se0.25,ir_r9_k3_s1_e6_c160_se0.25,ir_r15_k3_s2_e6_c256_se0.25';
    expect((await cli('export', '--timm', 'specs/efficientnet-v2.effnet', '--variant', 's')).stdout.trim()).toBe(v2s);
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'effnet-')), 'v2s.effnet');
    const r = await cli('import', '--timm', v2s, '--name', 'v2s', '--stem-channels', '24', '--input', '384', '--dropout', '0.2', '-o', out);
    expect(r.code, r.stderr).toBe(0);
    // Params and MACs do not depend on BN's momentum or the padding rule, which timm strings do not carry.
    const imported = compile(out, readFileSync(out)).report!.total;
    expect(imported.params).toBe(21_458_488);
    expect(imported.macs).toBe(compileSpec('efficientnet-v2.effnet', { variant: 's' }).report.total.macs);
  });

  it('refuses a user-defined block, naming it: timm strings have no form for it', async () => {
    const r = await cli('export', '--timm', 'specs/convnext.effnet');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("'convnext_block': a user-defined block: timm block strings name only the blocks of timm's EfficientNet builder");
  });

  it("--json: a scaled model's stem and head widths and the import flags that rebuild it (B3's 1536 head)", async () => {
    const r = await cli('export', '--timm', 'specs/efficientnet-b0.effnet', '--variant', 'b3', '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, ok: true, model: 'efficientnet-b3', stemChannels: 40, headChannels: 1536, seBase: 'input', rebuilds: true, notes: [] });
    expect(doc.importFlags).toEqual(['--name', 'efficientnet-b3', '--input', '300x300x3', '--stem-channels', '40', '--head-channels', '1536', '--dropout', '0.3']);
    const text = await cli('export', '--timm', 'specs/efficientnet-b0.effnet', '--variant', 'b3');
    expect(text.stdout.trim()).toBe(doc.blockStrings.join(','));
    expect(text.stderr).toContain('note: stem 40 channels, head 1536: rebuild with effnet import --timm STRINGS --name efficientnet-b3 --input 300x300x3 --stem-channels 40 --head-channels 1536 --dropout 0.3');
  });

  it.each([
    ['efficientnet-b0.effnet', ['--variant', 'b3']],
    ['efficientnet-b0.effnet', ['--phi', '-1']],
    ['mobilenet-v2.effnet', []],
    ['mnasnet.effnet', []],
  ])('%s %s: import of what export prints gives the same parameters and MACs', async (spec, flags) => {
    const doc = JSON.parse((await cli('export', '--timm', `specs/${spec}`, ...flags, '--json')).stdout);
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'effnet-')), 'round.effnet');
    const r = await cli('import', '--timm', doc.blockStrings.join(','), ...doc.importFlags, '-o', out);
    expect(r.code, r.stderr).toBe(0);
    const original = JSON.parse((await cli('report', `specs/${spec}`, ...flags, '--json')).stdout).totals;
    const imported = compile(out, readFileSync(out)).report!.total;
    expect({ params: imported.params, macs: imported.macs }).toEqual({ params: original.params, macs: original.macs });
  });

  it("MobileNetV3-Large as timm's mobilenetv3_large_100 arch_def writes it, with what the strings leave out said", async () => {
    // timm/models/mobilenetv3.py, _gen_mobilenet_v3: the stages of the 'large' arch_def, in order.
    const timmLarge = 'ds_r1_k3_s1_e1_c16_nre,ir_r1_k3_s2_e4_c24_nre,ir_r1_k3_s1_e3_c24_nre,ir_r3_k5_s2_e3_c40_se0.25_nre,ir_r1_k3_s2_e6_c80,ir_r1_k3_s1_e2.5_c80,ir_r2_k3_s1_e2.3_c80,ir_r2_k3_s1_e6_c112_se0.25,ir_r3_k5_s2_e6_c160_se0.25,cn_r1_k1_s1_c960';
    const r = await cli('export', '--timm', 'specs/mobilenet-v3-large.effnet', '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.blockStrings.join(',')).toBe(timmLarge);
    expect(doc).toMatchObject({ stemChannels: 16, seBase: 'expanded', rebuilds: false });
    expect(doc.headChannels).toBeUndefined();
    expect(doc.notes.join('\n')).toMatch(/se_from_exp/);
    expect(doc.notes.join('\n')).toMatch(/num_features 1280/);
  });

  it('refuses what has no block string, and bad strings, with clear errors', async () => {
    const r = await cli('export', '--timm', 'specs/resnet.effnet');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no block for operator 'bottleneck'");
    const json = await cli('export', '--timm', 'specs/resnet.effnet', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: expect.stringContaining("no block for operator 'bottleneck'") });
    const bad = await cli('import', '--timm', 'ir_r2_k3_s2_e6_c24_se0.25,zz_r1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown block type 'zz'");
  });

  // Flag values and strings are checked before a spec is generated: usage errors (exit 2) that name the flag,
  // never a diagnostic pointing into a file the user never saw.
  it.each([
    ['no block strings', ['--timm', ''], /no block strings/],
    ['an unknown activation', ['--timm', 'ds_r1_k3_s1_e1_c16', '--activation', 'swosh'], /--activation expects one of .* \(did you mean 'swish'\?\)/],
    ['a dropout of 3', ['--timm', 'ds_r1_k3_s1_e1_c16', '--dropout', '3'], /--dropout expects a rate/],
    ['a zero input size', ['--timm', 'ds_r1_k3_s1_e1_c16', '--input', '0x0x3'], /--input expects a size such as 224/],
    ['a name the language cannot hold', ['--timm', 'ds_r1_k3_s1_e1_c16', '--name', 'a-'], /--name must be a name/],
    ['a keyword as the name', ['--timm', 'ds_r1_k3_s1_e1_c16', '--name', 'stages'], /not a keyword/],
    ['TF-official input channels that do not chain', ['--timm', 'r1_k3_s11_e1_i32_o16,r2_k3_s22_e6_i17_o24'], /input channels i17 do not match the 16 channels the stage before outputs/],
    ['a first stage that does not take the stem', ['--timm', 'r1_k3_s11_e1_i24_o16'], /i24 do not match the 32 channels of the stem/],
  ])('refuses %s (exit 2)', async (_what, args, message) => {
    const r = await cli('import', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('imported.effnet');
  });
});
