/**
 * timm / TF-official block strings <-> stage rows. A block string is one stage: a type prefix (timm only)
 * and underscore-separated options, e.g. `ir_r2_k3_s2_e6_c24_se0.25` (timm) or `r2_k3_s22_e6_i16_o24_se0.25`
 * (TF official, always an MBConv). Types: ir (inverted residual: mbconv), ds (depthwise separable with a
 * linear pointwise conv: mbconv with expand 1), dsa (MobileNetV1's, activation after the pointwise conv:
 * dwsep), er (edge residual: fused_mbconv), cn (conv-bn-act).
 * Unlike timm's decoder, an unknown type, option or activation code is an error here, never skipped.
 *
 * Shortcuts follow timm's decoder: `noskip` removes one, `skip` forces one. A `cn` block has none unless it
 * says `skip`; then it is a conv, BN, act and identity sum where the shapes allow, which is torchvision's
 * FusedMBConv with expand 1 (no projection), so EfficientNetV2's `cn_r2_k3_s1_e1_c24_skip` is a
 * `fused_mbconv ... expand 1` row. timm's `er` with `e1` keeps its 1x1 projection, so it is not that.
 */

export interface DecodedStage {
  readonly op: 'mbconv' | 'dwsep' | 'fused_mbconv' | 'conv';
  readonly repeats: number;
  readonly channels: number;
  readonly kernel: number;
  readonly stride: number;
  readonly expand?: number;
  readonly se?: number;
  readonly act?: string;
  readonly skip: boolean;
  /** TF official's `i`: the input channels the string claims, checked against the stage before. */
  readonly inputChannels?: number;
}

export class BlockStringError extends Error {
  constructor(readonly block: string, message: string) {
    super(`block string '${block}': ${message}`);
  }
}

const typeToOp = { ir: 'mbconv', ds: 'mbconv', dsa: 'dwsep', er: 'fused_mbconv', cn: 'conv' } as const;
/** timm's activation codes (`n` option). */
const actCodes: Record<string, string> = { re: 'relu', r6: 'relu6', hs: 'hard_swish', sw: 'swish', si: 'swish', nre: 'relu', sig: 'sigmoid', hsig: 'hard_sigmoid' };
const actToCode: Record<string, string> = { relu: 're', relu6: 'r6', hard_swish: 'hs', swish: 'sw', sigmoid: 'sig', hard_sigmoid: 'hsig' };

export function decodeBlockString(text: string): DecodedStage {
  const parts = text.trim().split('_').filter(Boolean);
  if (parts.length === 0) throw new BlockStringError(text, 'empty');
  let type: keyof typeof typeToOp = 'ir';
  if (parts[0]! in typeToOp) type = parts.shift() as keyof typeof typeToOp;
  else if (/^[a-z]+$/.test(parts[0]!) && parts[0] !== 'noskip') throw new BlockStringError(text, `unknown block type '${parts[0]}' (known: ${Object.keys(typeToOp).join(', ')})`);
  const opts: Record<string, string> = {};
  let skip: boolean | undefined;
  for (const p of parts) {
    if (p === 'noskip' || p === 'skip') {
      if (skip !== undefined) throw new BlockStringError(text, `'${p}' after '${skip ? 'skip' : 'noskip'}': give one of them`);
      skip = p === 'skip';
      continue;
    }
    // As timm's decoder reads an option: `n...` is the activation (`nre`), else the key is the letters before
    // the first digit, so `sx0.25` is an unknown key `sx`, not a second stride.
    const m = p.startsWith('n') ? (['', 'n', p.slice(1)] as const) : /^([a-z]+)(\d.*)$/.exec(p);
    if (!m) throw new BlockStringError(text, `cannot read option '${p}'`);
    if (!['r', 'k', 's', 'e', 'c', 'o', 'i', 'se', 'n'].includes(m[1]!)) throw new BlockStringError(text, `unknown option '${p}' (known: r k s e c o i se n skip noskip)`);
    if (opts[m[1]!] !== undefined) throw new BlockStringError(text, `option '${m[1]}' given twice`);
    opts[m[1]!] = m[2]!;
  }
  const int = (key: string, what: string, fallback?: number) => {
    const v = opts[key];
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      throw new BlockStringError(text, `missing ${what} ('${key}')`);
    }
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new BlockStringError(text, `${what} must be a positive integer, got '${v}' (mixed kernels such as k3.5 are not supported)`);
    return Number(v);
  };
  // TF official writes the stride per axis ("s22"); timm writes it once ("s2").
  const strideText = opts.s ?? '1';
  if (!/^\d+$/.test(strideText) || (strideText.length === 2 && strideText[0] !== strideText[1]) || strideText.length > 2) throw new BlockStringError(text, `stride must be one digit or two equal digits, got '${strideText}'`);
  const act = opts.n === undefined ? undefined : actCodes[opts.n];
  if (opts.n !== undefined && !act) throw new BlockStringError(text, `unknown activation code '${opts.n}' (known: ${Object.keys(actCodes).join(', ')})`);
  const expand = opts.e === undefined ? undefined : Number(opts.e);
  if (expand !== undefined && !(expand >= 1)) throw new BlockStringError(text, `expansion must be a number of at least 1, got '${opts.e}'`);
  const se = opts.se === undefined ? undefined : Number(opts.se);
  if (se !== undefined && !(se > 0 && se <= 1)) throw new BlockStringError(text, `SE ratio must be in (0, 1], got '${opts.se}'`);
  const channels = opts.c !== undefined ? int('c', 'output channels') : int('o', 'output channels');
  if (type === 'dsa' && skip) throw new BlockStringError(text, "a 'dsa' block never has a shortcut in timm: leave out 'skip'");
  const convSkip = type === 'cn' && skip === true;
  if (convSkip && expand !== undefined && expand !== 1) throw new BlockStringError(text, `a 'cn' block has no expansion: e${opts.e} cannot apply`);
  return {
    op: convSkip ? 'fused_mbconv' : typeToOp[type],
    repeats: int('r', 'repeats', 1),
    channels,
    kernel: int('k', 'kernel', 3),
    stride: Number(strideText[0]),
    ...(type === 'ds' || convSkip ? { expand: 1 } : expand !== undefined && type !== 'dsa' && type !== 'cn' ? { expand } : {}),
    ...(se !== undefined && se > 0 ? { se } : {}),
    ...(act ? { act } : {}),
    skip: type === 'dsa' ? false : type === 'cn' ? convSkip : skip !== false,
    ...(opts.i !== undefined ? { inputChannels: int('i', 'input channels') } : {}),
  };
}

export interface EncodableStage {
  readonly op: string;
  readonly repeats: number;
  readonly channels?: number;
  readonly kernel?: number;
  readonly stride: number;
  readonly expand?: number;
  readonly se?: { readonly ratio: number; readonly base: string };
  readonly act?: string;
  readonly skip: boolean;
  /** The user-defined block a row names, if any (it has no timm form). */
  readonly block?: { readonly name: string };
}

/**
 * One stage row as a timm block string; throws for operators timm's builder has no block for. What SE
 * multiplies is the model's setting in timm, not the string's: export-timm.ts checks it once per model.
 */
export function encodeBlockString(s: EncodableStage): string {
  const e = s.expand ?? 1;
  let type: string;
  if (s.op === 'mbconv') type = e === 1 ? 'ds' : 'ir';
  else if (s.op === 'dwsep') type = 'dsa';
  else if (s.op === 'fused_mbconv') type = e === 1 && !s.se ? 'cn' : 'er';
  else if (s.op === 'conv') type = 'cn';
  else if (s.block) throw new BlockStringError(s.block.name, `a user-defined block: timm block strings name only the blocks of timm's EfficientNet builder (ir, ds, dsa, er, cn), so this stage has no block string`);
  else throw new BlockStringError(s.op, `timm's EfficientNet builder has no block for operator '${s.op}'`);
  if (s.op === 'fused_mbconv' && e === 1 && s.se) throw new BlockStringError(s.op, "fused_mbconv with expand 1 and SE has no timm block string: timm's 'cn' takes no SE, and 'er' with e1 keeps a 1x1 projection");
  const parts = [type, `r${s.repeats}`, `k${s.kernel ?? 3}`, `s${s.stride}`];
  if (type === 'ir' || type === 'ds' || type === 'er' || (s.op === 'fused_mbconv' && type === 'cn')) parts.push(`e${e}`);
  parts.push(`c${s.channels}`);
  if (s.se) parts.push(`se${s.se.ratio}`);
  if (s.act) {
    const code = actToCode[s.act];
    if (!code) throw new BlockStringError(s.op, `activation '${s.act}' has no timm code`);
    parts.push(`n${code}`);
  }
  // dsa and cn have no shortcut unless asked for one, so noskip says nothing there; a fused block without
  // expansion is timm's cn with `skip`.
  if (s.op === 'fused_mbconv' && type === 'cn') {
    if (s.skip) parts.push('skip');
  } else if (!s.skip && type !== 'dsa' && type !== 'cn') parts.push('noskip');
  return parts.join('_');
}
