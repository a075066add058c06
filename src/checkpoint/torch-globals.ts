/**
 * The Python globals a torch.save'd state_dict needs, as the restricted unpickler's allowlist, each with a
 * TypeScript stand-in that builds data. What torch 1.6 to 2.x write for a state_dict (or a dict wrapping
 * one): collections.OrderedDict, torch._utils._rebuild_tensor_v2 (with or without its metadata argument),
 * the older _rebuild_tensor, _rebuild_parameter / _rebuild_parameter_with_state for nn.Parameter values,
 * torch.Size, and the typed-storage classes named in persistent ids (torch.FloatStorage, ...). Nothing else:
 * torch.storage._load_from_bytes, a whole nn.Module, argparse.Namespace and every other global are refused.
 */
import { CheckpointError, isCount, type SourceDType } from './checkpoint.js';
import { describe, PickleGlobal } from './restricted-unpickler.js';

/** Storage classes by name → the dtype they hold. Others (complex, quantized) are listed so the error can name them. */
export const storageDTypes: Readonly<Record<string, SourceDType>> = {
  DoubleStorage: 'F64', FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16',
  LongStorage: 'I64', IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8', BoolStorage: 'BOOL',
};

/** One storage of the archive (`<prefix>/data/<key>`), as a persistent id names it. */
export class StorageRef {
  constructor(
    readonly key: string,
    /** The class name, such as FloatStorage. */
    readonly storageType: string,
    /** Undefined for a storage class effnet does not read (complex, quantized). */
    readonly dtype: SourceDType | undefined,
    /** Elements in the storage. */
    readonly numel: number,
  ) {}
}

/** A tensor as torch.save describes it: a view (offset, shape, strides, in elements) of a storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

const counts = (v: unknown): v is readonly number[] => Array.isArray(v) && v.every(isCount);

function rebuildTensor(args: readonly unknown[], arity: readonly number[]): TensorRef {
  if (!arity.includes(args.length)) throw new CheckpointError(`expected ${arity.join(' or ')} arguments, got ${args.length}`);
  const [storage, offset, shape, stride] = args;
  if (!(storage instanceof StorageRef)) throw new CheckpointError(`the storage is ${describe(storage)}, not a tensor storage`);
  if (!isCount(offset)) throw new CheckpointError(`the storage offset is ${describe(offset)}, not a non-negative integer`);
  if (!counts(shape)) throw new CheckpointError(`the size is ${describe(shape)}, not a tuple of non-negative integers`);
  if (!counts(stride) || stride.length !== shape.length) throw new CheckpointError(`the stride is ${describe(stride)}, not ${shape.length} non-negative integers`);
  return new TensorRef(storage, offset, [...shape], [...stride]);
}

function parameterData(args: readonly unknown[]): TensorRef {
  if (!(args[0] instanceof TensorRef)) throw new CheckpointError(`the parameter's data is ${describe(args[0])}, not a tensor`);
  return args[0];
}

function orderedDict(args: readonly unknown[]): Map<unknown, unknown> {
  const map = new Map<unknown, unknown>();
  // OrderedDict() as protocol 2 writes it, items following by SETITEMS; or OrderedDict([(k, v), ...]).
  const items = args[0];
  if (args.length > 1 || (items !== undefined && !Array.isArray(items))) throw new CheckpointError('expected no arguments or one list of pairs');
  for (const pair of (items ?? []) as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new CheckpointError(`an item is ${describe(pair)}, not a (key, value) pair`);
    map.set(pair[0], pair[1]);
  }
  return map;
}

const callables: Readonly<Record<string, (args: readonly unknown[]) => unknown>> = {
  'collections.OrderedDict': orderedDict,
  'torch._utils._rebuild_tensor_v2': (args) => rebuildTensor(args, [6, 7]),
  'torch._utils._rebuild_tensor': (args) => rebuildTensor(args, [4]),
  'torch._utils._rebuild_parameter': parameterData,
  'torch._utils._rebuild_parameter_with_state': parameterData,
  'torch.Size': (args) => {
    if (!counts(args[0])) throw new CheckpointError(`expected a tuple of sizes, got ${describe(args[0])}`);
    return args[0];
  },
};

/** The allowlist: a stand-in for module.name, or undefined when loading it would mean running code. */
export function torchGlobal(module: string, name: string): PickleGlobal | undefined {
  // Storage classes only tag persistent ids; they are never called, so any torch.*Storage name is safe here.
  if (module === 'torch' && /^[A-Z][A-Za-z0-9]*Storage$/.test(name)) return new PickleGlobal(module, name);
  const call = callables[`${module}.${name}`];
  return call ? new PickleGlobal(module, name, call) : undefined;
}

/** Why a refused global is there, when it is a common mistake rather than a payload. */
export function torchRefusalHint(module: string): string | undefined {
  if (module.startsWith('torch.nn.modules.')) return 'the file holds a whole nn.Module; save model.state_dict() instead';
  if (module.startsWith('__torch__')) return 'a TorchScript archive (torch.jit.save); save model.state_dict() with torch.save instead';
  return undefined;
}
