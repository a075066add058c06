/**
 * The one catalogue of diagnostics. Every message the compiler can print is defined here, with its code,
 * severity and hint, so wording stays consistent and tests can match on codes instead of text.
 *
 * Codes are grouped by the stage that reports them:
 *   E01 reading and lexing · E02 parsing · E03 checking the spec · E04 shapes · E05 scaling · E06 backends.
 */

export type Severity = 'error' | 'warning';

interface MessageDef<A> {
  readonly severity: Severity;
  readonly message: (args: A) => string;
  readonly hint?: (args: A) => string | undefined;
}

function def<A = Record<string, never>>(d: MessageDef<A>): MessageDef<A> {
  return d;
}

/** "did you mean 'x'?" when a near name exists, else the list of valid names. */
function suggest(a: { suggestion?: string | undefined; valid?: readonly string[] | undefined }): string | undefined {
  if (a.suggestion) return `did you mean '${a.suggestion}'?`;
  if (a.valid && a.valid.length > 0) return `expected one of: ${a.valid.join(', ')}`;
  return undefined;
}

/** An epsilon as people write it: 1e-5, 0.001. */
const eps = (x: number) => (x > 0 && x < 1e-3 ? x.toExponential() : String(x));

type Suggestable = { suggestion?: string | undefined; valid?: readonly string[] | undefined };

export const messages = {
  // ---- E01: reading and lexing ----
  E0101: def<{ char: string }>({
    severity: 'error',
    message: (a) => `unexpected character '${a.char}'`,
    hint: () => 'names are letters, digits and _; comments start with #',
  }),
  E0102: def<{ bytes: string }>({
    severity: 'error',
    message: (a) => `file is not UTF-8 text: ${a.bytes.includes(' ') ? `the bytes ${a.bytes} are` : `the byte ${a.bytes} is`} not valid UTF-8`,
    hint: () => 'save the spec as UTF-8; .effnet files are plain text',
  }),
  E0103: def({
    severity: 'error',
    message: () => 'file is empty',
    hint: () => "a spec needs at least 'model NAME { input ... classes ... stages { ... } }'",
  }),

  E0104: def<{ count: string }>({
    severity: 'error',
    message: (a) => `this is not an .effnet spec: ${a.count} characters the language does not use`,
    hint: () => 'effnet check reads .effnet specs; a compiled model (model.json, .onnx) is not one',
  }),
  E0105: def<{ tokens: string; limit: string }>({
    severity: 'error',
    message: (a) => `the spec has ${a.tokens} tokens, more than the limit of ${a.limit}`,
    hint: () => 'a network spec is a few hundred tokens; use variants and scaling rather than writing out thousands of stage rows',
  }),

  // ---- E02: parsing ----
  E0201: def<{ expected: string; found: string }>({
    severity: 'error',
    message: (a) => `expected ${a.expected} but found ${a.found}`,
    hint: (a) => (/\d+x\d+/.test(a.found)
      ? 'kernel and stride are single numbers (3, not 3x3); HxWxC sizes only follow input'
      : a.expected.startsWith('a value')
        ? "each option name takes one value after it, as in 'se 0.25' or 'kernel 3'"
        : 'the syntax diagrams in grammar/diagrams.html show what may come here'),
  }),
  E0202: def<{ found: string }>({
    severity: 'error',
    message: (a) => `unexpected ${a.found} after the end of the model`,
    hint: () => 'a file holds one model; use variants for a family',
  }),

  // ---- E03: checking the spec ----
  E0301: def<{ name: string } & Suggestable>({
    severity: 'error',
    message: (a) => `unknown operator '${a.name}'`,
    hint: suggest,
  }),
  E0302: def<{ name: string; owner: string } & Suggestable>({
    severity: 'error',
    message: (a) => `unknown option '${a.name}' for ${a.owner}`,
    hint: suggest,
  }),
  E0303: def<{ name: string } & Suggestable>({
    severity: 'error',
    message: (a) => `unknown activation '${a.name}'`,
    hint: suggest,
  }),
  E0304: def<{ field: string; op: string }>({
    severity: 'error',
    message: (a) => `stage row is missing its ${a.field} field`,
    hint: (a) => `a stage row reads: operator repeats channels kernel stride [options]; '-' stands for a field ${a.op} does not use`,
  }),
  E0305: def<{ name: string }>({
    severity: 'error',
    message: (a) => `option '${a.name}' is given twice`,
    hint: () => 'remove one of them',
  }),
  E0306: def<{ field: string; value: string }>({
    severity: 'error',
    message: (a) => `${a.field} must be a positive integer, got ${a.value}`,
    hint: () => 'write a whole number of at least 1',
  }),
  E0307: def<{ value: string }>({
    severity: 'error',
    message: (a) => `squeeze-excitation ratio must be in (0, 1], got ${a.value}`,
    hint: () => "0.25 is EfficientNet's ratio; leave 'se' out for no squeeze-excitation",
  }),
  E0308: def({
    severity: 'error',
    message: () => 'the stage table is empty',
    hint: () => 'add at least one row: operator repeats channels kernel stride [options]',
  }),
  E0309: def<{ name: string } & Suggestable>({
    severity: 'error',
    message: (a) => `unknown variant '${a.name}'`,
    hint: (a) => `${a.suggestion ? `did you mean '${a.suggestion}'? ` : ''}the spec defines: ${(a.valid ?? []).join(', ')}`,
  }),
  E0310: def<{ name: string; where: string } & Suggestable>({
    severity: 'error',
    message: (a) => `unknown setting '${a.name}' in ${a.where}`,
    hint: suggest,
  }),
  E0311: def<{ name: string }>({
    severity: 'error',
    message: (a) => `'${a.name}' is set twice`,
    hint: () => 'a later line does not override an earlier one; remove one',
  }),
  E0312: def<{ what: string; value: string; expected: string }>({
    severity: 'error',
    message: (a) => `invalid ${a.what} '${a.value}'`,
    hint: (a) => `expected ${a.expected}`,
  }),
  E0313: def<{ name: string; example: string }>({
    severity: 'error',
    message: (a) => `the model has no '${a.name}'`,
    hint: (a) => `add a line such as '${a.example}'`,
  }),
  E0314: def<{ field: string; op: string }>({
    severity: 'error',
    message: (a) => `${a.op} takes no ${a.field}; write '-' in that column`,
  }),
  E0315: def<{ count: number; stages: number }>({
    severity: 'error',
    message: (a) => `the list has ${a.count} entries but the model has ${a.stages} stages`,
    hint: () => 'give one value per stage row, in table order',
  }),
  E0316: def<{ field: string; value: string; min: string; max: string }>({
    severity: 'error',
    message: (a) => `${a.field} must be between ${a.min} and ${a.max}, got ${a.value}`,
    hint: (a) => `use a value from ${a.min} to ${a.max}`,
  }),
  E0317: def<{ name: string }>({
    severity: 'error',
    message: (a) => `variant '${a.name}' is defined twice`,
    hint: () => 'rename or remove one: --variant must name exactly one row',
  }),
  E0318: def<{ field: string; value: string }>({
    severity: 'error',
    message: (a) => `${a.field} must be a positive number, got ${a.value}`,
  }),
  E0319: def<{ op: string }>({
    severity: 'error',
    message: (a) => `${a.op} cannot have both 'expand' and 'mid'`,
    hint: () => "'expand' multiplies the input channels; 'mid' gives the expanded width directly",
  }),

  E0320: def<{ field: string; value: string; max: string }>({
    severity: 'error',
    message: (a) => `${a.field} ${a.value} is too large: the most it may be is ${a.max}`,
    hint: () => 'no network uses values near this; check the number for a typo',
  }),

  E0321: def<{ variant: string; stage: number; op: string; problem: string }>({
    severity: 'error',
    message: (a) => `variant '${a.variant}' makes stage ${a.stage} a ${a.op}, ${a.problem}`,
    hint: (a) => `a variant's operator must fit every stage row it replaces: change stage ${a.stage}'s row, or leave 'operator' out of '${a.variant}'`,
  }),

  E0322: def<{ flag: string; needs: string }>({
    severity: 'error',
    message: (a) => `${a.flag} needs ${a.needs}`,
    hint: (a) => `leave ${a.flag} out for this spec`,
  }),

  E0323: def<{ name: string }>({
    severity: 'error',
    message: (a) => `unknown name '${a.name}' in an expression`,
    hint: () => "an expression may name the model's params, the block's parameters and lets, and the block's tensors (their channel counts)",
  }),
  E0324: def<{ name: string } & Suggestable>({
    severity: 'error',
    message: (a) => `unknown function '${a.name}'`,
    hint: suggest,
  }),
  E0325: def<{ name: string; arity: number; got: number }>({
    severity: 'error',
    message: (a) => `${a.name} takes ${a.arity} argument${a.arity === 1 ? '' : 's'}, got ${a.got}`,
  }),
  E0326: def<{ text: string }>({
    severity: 'error',
    message: (a) => `${a.text} divides by zero`,
  }),
  E0327: def<{ field: string; text: string; value: string }>({
    severity: 'error',
    message: (a) => `${a.field} ${a.text} is ${a.value}, not a whole number`,
    hint: () => 'channels, kernels, strides and groups are whole numbers: use floor(), round() or divisible() in the expression',
  }),

  E0328: def<{ name: string; why: string }>({
    severity: 'error',
    message: (a) => `block '${a.name}' ${a.why}`,
    hint: () => 'give the block a name of its own',
  }),
  E0329: def<{ name: string }>({
    severity: 'error',
    message: (a) => `block '${a.name}' has no statements`,
    hint: () => 'a block is made of statements such as conv channels channels kernel 3',
  }),
  E0330: def<{ name: string } & Suggestable>({
    severity: 'error',
    message: (a) => `unknown statement '${a.name}' in a block`,
    hint: suggest,
  }),
  E0331: def<{ name: string; known: string }>({
    severity: 'error',
    message: (a) => `'from ${a.name}': no tensor of that name exists here`,
    hint: (a) => `a statement reads the block input 'in' or a tensor named earlier in the block (here: ${a.known})`,
  }),
  E0332: def<{ op: string; want: string; got: number }>({
    severity: 'error',
    message: (a) => `${a.op} reads ${a.want}, 'from' names ${a.got}`,
    hint: () => "name its inputs with 'from', as in 'add from a, b'",
  }),
  E0333: def<{ op: string; want: string; got: number }>({
    severity: 'error',
    message: (a) => `${a.op} gives ${a.want}, not ${a.got}`,
    hint: () => "only split gives several tensors: 'a, b = split'",
  }),
  E0335: def<{ field: string; op: string; where: string }>({
    severity: 'error',
    message: (a) => `${a.op} ${a.where} needs ${a.field}`,
    hint: (a) => `give it as an option: '${a.op} ... ${a.field} VALUE'`,
  }),
  E0337: def<{ stated: string; reads: number; version: string }>({
    severity: 'error',
    message: (a) => `this spec is written in effnet language ${a.stated}; effnet ${a.version} reads language ${a.reads}`,
    hint: (a) => `install a newer effnet (npm install effnet@latest), or if the spec uses nothing newer, state 'effnet ${a.reads}'`,
  }),
  E0336: def<{ param: string; block: string; signature: string }>({
    severity: 'error',
    message: (a) => `${a.block} needs a value for its parameter '${a.param}', which has no default`,
    hint: (a) => `give it where the block is used ('${a.param} VALUE'), or a default in its definition: ${a.signature}`,
  }),
  E0334: def<{ cycle: string }>({
    severity: 'error',
    message: (a) => `blocks use each other in a cycle: ${a.cycle}`,
    hint: () => 'a block may use other blocks, but never itself, directly or through others',
  }),

  // ---- E04: shapes ----
  E0401: def<{ kernel: number; size: string; layer: string }>({
    severity: 'error',
    message: (a) => `kernel ${a.kernel} is larger than the ${a.size} feature map at ${a.layer}`,
    hint: () => 'reduce the kernel or the number of stride-2 stages, or raise the input resolution',
  }),
  E0402: def<{ layer: string; size: string }>({
    severity: 'error',
    message: (a) => `the feature map shrinks below 1 pixel at ${a.layer} (${a.size})`,
    hint: () => 'raise the input resolution or remove a stride-2 stage',
  }),
  E0403: def<{ channels: number; groups: number; layer: string }>({
    severity: 'error',
    message: (a) => `${a.channels} channels are not divisible by ${a.groups} groups at ${a.layer}`,
    hint: () => 'make the channels a multiple of the groups',
  }),
  E0404: def<{ op: string }>({
    severity: 'error',
    message: (a) => `${a.op} needs a spatial (H x W x C) input, but the tensor is already flat`,
    hint: () => 'move it before the global pooling or dense layer',
  }),
  E0405: def<{ elements: string; layer: string }>({
    severity: 'error',
    message: (a) => `tensor of ${a.elements} elements at ${a.layer} exceeds 2^31`,
    hint: () => 'lower the resolution or width; runtimes index tensors with 32-bit integers',
  }),

  E0406: def<{ op: string }>({
    severity: 'error',
    message: (a) => `${a.op} needs a flat input, but the tensor is still a feature map`,
    hint: () => "put 'gap' before it to pool the feature map to a vector",
  }),
  E0407: def<{ layer: string; shapes: string }>({
    severity: 'error',
    message: (a) => `${a.layer} joins tensors of different sizes: ${a.shapes}`,
    hint: () => 'tensors joined with concat or add must have the same height and width (and add the same channels)',
  }),
  E0408: def<{ layer: string; what: string }>({
    severity: 'error',
    message: (a) => `${a.layer}: ${a.what}`,
  }),
  W0407: def<{ kernel: number; size: string; layer: string }>({
    severity: 'warning',
    message: (a) => `kernel ${a.kernel} is larger than the ${a.size} feature map at ${a.layer}; most of it sees padding`,
    hint: () => 'raise the input resolution, or accept it for a quick low-resolution build',
  }),

  // ---- E05: scaling ----
  E0501: def<{ name: string; value: string }>({
    severity: 'error',
    message: (a) => `${a.name} must be at least 1, got ${a.value}`,
    hint: () => 'compound scaling only grows a network; scale the base spec down instead',
  }),
  W0502: def<{ product: string }>({
    severity: 'warning',
    message: (a) => `alpha * beta^2 * gamma^2 = ${a.product}, far from 2`,
    hint: () => 'with a product near 2, FLOPs grow about 2^phi (the paper uses 1.2, 1.1, 1.15)',
  }),
  E0503: def<{ params: string; limit: string }>({
    severity: 'error',
    message: (a) => `the scaled model would have ${a.params} parameters, over the ceiling of ${a.limit}`,
    hint: () => 'lower phi or the multipliers, or raise --max-params',
  }),
  E0505: def<{ variant: string }>({
    severity: 'error',
    message: (a) => `variant '${a.variant}' sets its own width, depth or resolution`,
    hint: () => 'use either --variant or the scaling flags (--phi, --width, --depth, --resolution), not both; --input-size combines with a variant',
  }),
  E0506: def<{ layers: string; limit: string }>({
    severity: 'error',
    message: (a) => `the model would have ${a.layers} layers, over the limit of ${a.limit}`,
    hint: () => 'lower the depth multiplier or the stage repeats',
  }),
  // ---- E06: backends ----
  E0601: def<{ target: string; layer: string; why: string }>({
    severity: 'error',
    message: (a) => `the ${a.target} backend cannot express ${a.layer}: ${a.why}`,
    hint: (a) => `the spec itself is valid ('effnet check' passes); change this layer, or compile to a target other than ${a.target}`,
  }),
  E0602: def<{ weight: string; layer: string; index: number; value: string }>({
    severity: 'error',
    message: (a) => `--quantize float16: ${a.weight} (of ${a.layer}) holds ${a.value} at index ${a.index}, beyond float16's largest value 65504; it would load as infinity`,
    hint: (a) => `store this weight as uint16 or uint8, or keep it float32 by quantizing the others with a pattern (--quantize 'float16:...' naming weights other than ${a.weight})`,
  }),
  W0602: def<{ target: string; layer: string; what: string; cost: string }>({
    severity: 'warning',
    message: (a) => `the ${a.target} backend writes ${a.layer} as ${a.what}`,
    hint: (a) => a.cost,
  }),

  // ---- E07: trained weights ----
  E0701: def<{ layer: string; role: string; shape: string; key?: string; convention: string }>({
    severity: 'error',
    message: (a) => (a.key
      ? `${a.layer} needs its ${a.role} ${a.shape} from the checkpoint's '${a.key}', which the checkpoint does not have`
      : `${a.layer} needs its ${a.role} ${a.shape}, and ${a.convention} names have no place for it`),
    hint: (a) => `the checkpoint's names were read as ${a.convention}'s; a checkpoint of another network, or of the same one at another depth, lacks tensors ('effnet weights SPEC FILE' lists the mapping)`,
  }),
  E0702: def<{ layer: string; role: string; want: string; key: string; got: string }>({
    severity: 'error',
    message: (a) => `${a.layer} wants its ${a.role} as ${a.want}, the checkpoint's ${a.key} is ${a.got}`,
    hint: () => 'the spec and the checkpoint describe different networks here: check the row\'s channels, kernel and expansion, or the variant',
  }),
  E0703: def<{ theirs: number; ours: number }>({
    severity: 'error',
    message: (a) => `the checkpoint's classifier has ${a.theirs} classes, the spec ${a.ours}`,
    hint: (a) => `a fine-tuned head: set 'classes ${a.theirs}' in the spec, or pass --classes ${a.theirs}`,
  }),
  E0704: def<{ count: number; keys: string; convention: string }>({
    severity: 'error',
    message: (a) => `the checkpoint has ${a.count} tensor${a.count === 1 ? '' : 's'} the spec has no place for: ${a.keys}`,
    hint: (a) => `read as ${a.convention} names; the checkpoint is of a larger or different network, or of another convention (--weights-convention)`,
  }),
  E0705: def<{ key: string; dtype: string }>({
    severity: 'error',
    message: (a) => `the checkpoint's ${a.key} is ${a.dtype}; weights must be floating point (F32, F16, BF16, F64)`,
  }),
  E0706: def<{ key: string; layer: string; index: number; value: string }>({
    severity: 'error',
    message: (a) => `the checkpoint's ${a.key} (for ${a.layer}) holds ${a.value} at index ${a.index}`,
    hint: () => 'a checkpoint saved from a diverged training run; use an earlier one',
  }),
  E0709: def<{ key: string; layer: string; groups: number; value: string }>({
    severity: 'error',
    message: (a) => `the checkpoint's ${a.key} (for ${a.layer}, a convolution in ${a.groups} groups) holds ${a.value} outside its groups`,
    hint: () => 'a TF.js model trained after effnet wrote it: TF.js has no grouped convolution and trained the zeros between the groups; this kernel no longer fits the spec',
  }),
  E0707: def<{ who: string; padding: string; eps: number; specPadding: string; specEps: number }>({
    severity: 'error',
    message: (a) => `${a.who} pads ${a.padding === 'symmetric' ? 'symmetrically' : "'same'"} with BN eps ${eps(a.eps)}; this spec pads '${a.specPadding}' with eps ${eps(a.specEps)}, so the weights would compute something else`,
    hint: (a) => `compile with --match-weights (or --padding ${a.padding} --bn-eps ${eps(a.eps)})`,
  }),
  E0708: def<{ first: string; valid: string }>({
    severity: 'error',
    message: (a) => `cannot tell which naming the checkpoint uses (its first keys: ${a.first})`,
    hint: (a) => `name it with --weights-convention: ${a.valid}`,
  }),
} as const;

export type Code = keyof typeof messages;
export type MessageArgs<C extends Code> = Parameters<(typeof messages)[C]['message']>[0];
