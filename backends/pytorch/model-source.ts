/**
 * The module tree as model.py: a docstring saying what the module is (spec, variant, scaling, params, MACs,
 * how to load the weights), the library definitions the model uses, and the model class, whose __init__
 * reads like the spec (one line per block, a comment with the spec row above each section) and whose
 * forward() runs the sections in order. The text is a pure function of the graph and the options.
 */
import type { Graph } from '../../src/ir/graph.js';
import type { CostReport } from '../../src/report/cost.js';
import { count, withSeparators } from '../../src/report/units.js';
import { version } from '../../src/version.js';
import type { ModuleTree, TreeBlock } from './module-tree.js';
import { libraryNames, pythonLibrary, type PythonDefinition } from './python-library.js';
import { camelCase, docstringText, pyCall, pyNumber, pyString } from './python-literals.js';

export interface ModelSourceInfo {
  readonly className: string;
  readonly report: CostReport;
  /** 'random, seed 0': where the safetensors file's numbers came from. */
  readonly weights: string;
  readonly specHash: string;
  readonly weightsFile: string;
}

/** The model's class name: the spec's name in CamelCase, kept clear of the names model.py defines itself. */
export function className(graph: Graph): string {
  const name = camelCase(graph.spec.name);
  return libraryNames.has(name) ? `${name}Model` : name;
}

/** The definitions the tree uses and everything they need, in library order. */
function definitionsFor(tree: ModuleTree): PythonDefinition[] {
  const library = pythonLibrary(tree.norm);
  const byName = new Map(library.map((d) => [d.name, d]));
  const wanted = new Set<string>();
  const want = (name: string) => {
    if (wanted.has(name)) return;
    const d = byName.get(name);
    if (!d) throw new Error(`internal: model.py has no definition of ${name}`);
    wanted.add(name);
    d.needs.forEach(want);
  };
  for (const s of tree.sections) {
    if (!s.flat) want('sequence');
    for (const b of s.blocks) {
      want(b.layer.pyClass);
      b.layer.needs?.forEach(want);
    }
  }
  return library.filter((d) => wanted.has(d.name));
}

const blockCall = (b: TreeBlock) => pyCall(b.layer.pyClass, b.layer.args, b.layer.kwargs);

/** A multiplier to 6 digits: 1.1, not 1.1000000000000001. */
const factor = (x: number) => pyNumber(Number(x.toPrecision(6)));

function scalingText(graph: Graph): string {
  const a = graph.spec.applied;
  const parts: string[] = [];
  if (a.variant !== undefined) parts.push(`variant ${a.variant}`);
  if (a.phi !== undefined) parts.push(`phi ${factor(a.phi)}`);
  if (a.width !== 1 || a.depth !== 1 || parts.length) parts.push(`width ${factor(a.width)}, depth ${factor(a.depth)}`);
  if (a.resolution !== 1) parts.push(`resolution ${factor(a.resolution)}`);
  return parts.length ? parts.join(', ') : 'none (as written)';
}

function docstring(graph: Graph, tree: ModuleTree, info: ModelSourceInfo): string[] {
  const spec = graph.spec;
  const { height: h, width: w, channels: c } = spec.input;
  const t = info.report.total;
  const out = graph.nodes[graph.output]!.shape;
  const outputText = out.length === 1 ? `[N, ${out[0]}]${spec.classifier ? ' logits (no softmax)' : ''}` : `the feature map [N, ${out[2]}, ${out[0]}, ${out[1]}]`;
  const lines = [
    `${info.className}: the effnet spec ${spec.name} as a PyTorch module.`,
    '',
    `Compiled by effnet ${version} from ${spec.name} (spec sha256 ${info.specHash.slice(0, 16)}...).`,
    `Variant and scaling: ${scalingText(graph)}.`,
    `Input [N, ${c}, ${h}, ${w}]; output ${outputText}.`,
    '',
    `Params:        ${withSeparators(t.params)} (trainable)`,
    `BN statistics: ${withSeparators(t.bnStats)} (running mean and variance: buffers)`,
    `MACs:          ${withSeparators(t.macs)} (${count(t.macs)}; FLOPs = 2 x MACs)`,
    '',
    "forward() computes what effnet's shaped graph computes, the graph the ONNX and TF.js files are written",
    'from. Dropout and drop-connect act only in train() mode.',
  ];
  if (tree.fixedSize) {
    lines.push(
      `The spec's "same" padding (TF's: the extra pixel at the bottom and right at stride 2 on even sizes) was`,
      `worked out for ${h}x${w} inputs, so forward() refuses others: compile with --input-size for another size.`,
    );
  }
  if (tree.norm) {
    const m = Number((1 - tree.norm.momentum).toPrecision(12));
    lines.push(`Batch norm: eps ${pyNumber(tree.norm.eps)}, momentum ${pyNumber(m)} (PyTorch's; the spec's ${pyNumber(tree.norm.momentum)} is Keras's moving-average decay).`);
  }
  lines.push(
    '',
    `Weights (${info.weights}): ${info.weightsFile} beside this file, under this module's state_dict`,
    "keys, which are effnet's tensor names; the same numbers as the ONNX and TF.js files of the same seed. To",
    'load them without the safetensors package:',
    '',
    `    from model import ${info.className}`,
    '    from load import read_safetensors',
    `    model = ${info.className}()`,
    `    model.load_state_dict(read_safetensors('${info.weightsFile}'))  # strict: every key and shape`,
    '',
    'read_safetensors (load.py, beside this file) reads the header with json and the tensors with',
    `torch.frombuffer; where the safetensors package is installed, safetensors.torch.load_file('${info.weightsFile}')`,
    'gives the same dict. The file includes the num_batches_tracked buffers, so strict loading needs no',
    'exceptions.',
    '',
    'Needs only torch. Written for torch 1.13 and 2.x alike: plain nn.Conv2d, nn.BatchNorm2d, nn.Linear,',
    'F.pad, F.avg_pool2d and F.max_pool2d, and activations PyTorch has defined the same way since 1.7.',
  );
  return ['"""' + docstringText(lines[0]!), ...lines.slice(1).map(docstringText), '"""'];
}

function classSource(graph: Graph, tree: ModuleTree, name: string): string[] {
  const { height: h, width: w, channels: c } = graph.spec.input;
  const out = [
    `class ${name}(nn.Module):`,
    `    """${docstringText(graph.spec.name)}: the module docstring says where it comes from and how to load its weights."""`,
    '',
    `    input_shape = (${c}, ${h}, ${w})`,
    '',
    '    def __init__(self):',
    '        super().__init__()',
  ];
  for (const s of tree.sections) {
    const about = s.describe.length === 1 ? [`        # ${s.name}: ${s.describe[0]}`] : [`        # ${s.name}:`, ...s.describe.map((d) => `        #   ${d}`)];
    out.push(...about);
    // A user block's call spans lines (one per layer): indented under the line it starts on.
    const at = (text: string, indent: string) => text.replace(/\n/g, `\n${indent}`);
    if (s.flat) {
      out.push(`        self.${s.name} = ${at(blockCall(s.blocks[0]!), '        ')}`);
    } else {
      out.push(`        self.${s.name} = sequence(`, ...s.blocks.map((b) => `            ${b.name}=${at(blockCall(b), '            ')},`), '        )');
    }
  }
  out.push('', '    def forward(self, x):');
  if (tree.fixedSize) {
    // Traced exports (torch.onnx.export) see shapes as tensors; the check is for eager calls.
    out.push(
      '        if not torch.jit.is_tracing() and tuple(x.shape[1:]) != self.input_shape:',
      `            raise ValueError(f'${name} takes inputs [N, ${c}, ${h}, ${w}] (its "same" padding is fixed for ${h}x${w}), got {list(x.shape)}')`,
    );
  }
  const sections = tree.sections.map((s) => s.name);
  out.push(...sections.slice(0, -1).map((s) => `        x = self.${s}(x)`), `        return self.${sections.at(-1)!}(x)`);
  return out;
}

export function modelSource(graph: Graph, tree: ModuleTree, info: ModelSourceInfo): string {
  const parts: string[][] = [
    docstring(graph, tree, info),
    ['import torch', 'import torch.nn as nn', 'import torch.nn.functional as F'],
    [`__all__ = [${pyString(info.className)}]`],
    ...definitionsFor(tree).map((d) => d.code.split('\n')),
    classSource(graph, tree, info.className),
  ];
  // PEP 8: two blank lines between top-level definitions.
  return parts.map((p) => p.join('\n')).join('\n\n\n') + '\n';
}
