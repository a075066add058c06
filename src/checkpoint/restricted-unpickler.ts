/**
 * A pickle reader that builds only data. Python's unpickler runs code by design: GLOBAL imports any
 * module.name the file asks for and REDUCE calls it, so loading an untrusted .pth with pickle (or with
 * torch.load without weights_only) can run anything. This reader is written by hand instead of using a
 * general-purpose one: it interprets the opcodes that torch.save and ordinary Python containers use, and a
 * GLOBAL resolves only through the caller's allowlist (torch-globals.ts), to a TypeScript function that
 * builds a value. Anything else is refused the moment GLOBAL names it, before anything could be called.
 *
 * Python values become: None → null, bool → boolean, int → number (bigint beyond 2^53), float → number,
 * str → string, bytes → Uint8Array, list → array, tuple → frozen array, dict → Map, set → Set.
 *
 * The reader is a stack machine with no recursion, so a deeply nested pickle cannot overflow the JS stack,
 * and memo references share objects rather than copying them, so memory stays linear in the file's size.
 */
import { CheckpointError } from './checkpoint.js';

/** A Python global that the caller allows: GLOBAL pushes it, REDUCE and NEWOBJ call `call` (absent: not callable). */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly call?: (args: readonly unknown[]) => unknown,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

export interface UnpickleOptions {
  /** The allowed global `module.name`, or undefined to refuse it. */
  readonly findGlobal: (module: string, name: string) => PickleGlobal | undefined;
  /** What a persistent id (BINPERSID) stands for; torch.save uses them for tensor storages. */
  readonly persistentLoad: (pid: unknown) => unknown;
  /** Names the pickle in messages, such as `archive/data.pkl`. */
  readonly where: string;
  /** Advice to add when a global is refused, such as how to save the file so that it can be read. */
  readonly refusalHint?: (module: string, name: string) => string | undefined;
}

/** Opcode bytes, by name (pickletools' names). */
const op = {
  MARK: 0x28, STOP: 0x2e, POP: 0x30, POP_MARK: 0x31, DUP: 0x32, BINFLOAT: 0x47, BININT: 0x4a, BININT1: 0x4b, BININT2: 0x4d,
  NONE: 0x4e, BINPERSID: 0x51, REDUCE: 0x52, BINSTRING: 0x54, SHORT_BINSTRING: 0x55, BINUNICODE: 0x58, BINBYTES: 0x42,
  SHORT_BINBYTES: 0x43, EMPTY_LIST: 0x5d, APPEND: 0x61, BUILD: 0x62, GLOBAL: 0x63, DICT: 0x64, APPENDS: 0x65, GET: 0x67,
  BINGET: 0x68, LONG_BINGET: 0x6a, LIST: 0x6c, PUT: 0x70, BINPUT: 0x71, LONG_BINPUT: 0x72, SETITEM: 0x73, TUPLE: 0x74,
  SETITEMS: 0x75, EMPTY_DICT: 0x7d, EMPTY_TUPLE: 0x29, PROTO: 0x80, NEWOBJ: 0x81, TUPLE1: 0x85, TUPLE2: 0x86, TUPLE3: 0x87,
  NEWTRUE: 0x88, NEWFALSE: 0x89, LONG1: 0x8a, LONG4: 0x8b, SHORT_BINUNICODE: 0x8c, BINUNICODE8: 0x8d, BINBYTES8: 0x8e,
  EMPTY_SET: 0x8f, ADDITEMS: 0x90, FROZENSET: 0x91, NEWOBJ_EX: 0x92, STACK_GLOBAL: 0x93, MEMOIZE: 0x94, FRAME: 0x95,
  BYTEARRAY8: 0x96,
} as const;

const opNames = new Map<number, string>(Object.entries(op).map(([k, v]) => [v, k]));

/** Opcodes this reader leaves out on purpose, and why, for the error message. */
const refused: ReadonlyMap<number, string> = new Map([
  [0x69, 'INST (instantiates a class by name)'],
  [0x6f, 'OBJ (instantiates a class)'],
  [0x82, 'EXT1 (a global from the copyreg registry)'],
  [0x83, 'EXT2 (a global from the copyreg registry)'],
  [0x84, 'EXT4 (a global from the copyreg registry)'],
  [0x97, 'NEXT_BUFFER (out-of-band data)'],
  [0x98, 'READONLY_BUFFER (out-of-band data)'],
  [0x50, 'PERSID (text persistent ids, protocol 0)'],
]);

/** Reads the pickle in `bytes` and returns the object it describes. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): unknown {
  const { where } = options;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;
  let opAt = 0;

  const fail = (message: string) => new CheckpointError(`${where} byte ${opAt}: ${message}`);
  const need = (n: number) => {
    if (pos + n > bytes.byteLength) throw fail(`${opNames.get(bytes[opAt]!) ?? 'opcode'} needs ${n} more bytes, but the pickle ends at byte ${bytes.byteLength} (truncated?)`);
  };
  const u8 = () => (need(1), bytes[pos++]!);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.byteLength)) throw fail(`a length of ${v} bytes is longer than the whole pickle`);
    return Number(v);
  };
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const text = (n: number) => {
    try {
      return utf8.decode(take(n));
    } catch (e) {
      if (e instanceof CheckpointError) throw e;
      throw fail('a string is not valid UTF-8');
    }
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0 || end - pos > 1000) throw fail('a text line (a GLOBAL name) does not end within 1000 bytes');
    const s = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = () => {
    if (stack.length <= (marks.at(-1) ?? 0)) throw fail(`${opNames.get(bytes[opAt]!)} found nothing to take from the stack`);
    return stack.pop();
  };
  const top = () => {
    if (stack.length <= (marks.at(-1) ?? 0)) throw fail(`${opNames.get(bytes[opAt]!)} found nothing on the stack`);
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const m = marks.pop();
    if (m === undefined) throw fail(`${opNames.get(bytes[opAt]!)} has no MARK before it`);
    return stack.splice(m);
  };
  const memoGet = (i: number) => {
    if (!memo.has(i)) throw fail(`memo entry ${i} was never stored`);
    return memo.get(i);
  };
  const global = (module: string, name: string) => {
    const g = options.findGlobal(module, name);
    if (!g) {
      const hint = options.refusalHint?.(module, name);
      throw fail(`loading this file would run code: global ${module}.${name} is not allowed; effnet loads only state_dicts of tensors${hint ? ` (${hint})` : ''}`);
    }
    return g;
  };
  const call = (callable: unknown, args: unknown) => {
    if (!(callable instanceof PickleGlobal) || !callable.call) throw fail(`${describe(callable)} cannot be called`);
    if (!Array.isArray(args)) throw fail(`the arguments to ${callable.qualifiedName} are ${describe(args)}, not a tuple`);
    try {
      return callable.call(args);
    } catch (e) {
      if (e instanceof CheckpointError) throw fail(`${callable.qualifiedName}: ${e.message}`);
      throw e;
    }
  };
  const setItems = (dict: unknown, items: unknown[]) => {
    if (!(dict instanceof Map)) throw fail(`SETITEM(S) on ${describe(dict)}, not a dict`);
    if (items.length % 2) throw fail('SETITEMS has a key without a value');
    for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
  };
  const appendItems = (list: unknown, items: unknown[]) => {
    if (!Array.isArray(list) || Object.isFrozen(list)) throw fail(`APPEND(S) on ${describe(list)}, not a list`);
    for (const v of items) list.push(v);
  };
  const integer = (raw: Uint8Array) => {
    // Little-endian two's complement of any length (LONG1, LONG4).
    let v = 0n;
    for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]!);
    if (raw.length && raw[raw.length - 1]! & 0x80) v -= 1n << BigInt(8 * raw.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };

  for (;;) {
    opAt = pos;
    if (pos >= bytes.byteLength) throw fail('the pickle ends without a STOP opcode (truncated?)');
    const code = bytes[pos++]!;
    switch (code) {
      case op.PROTO: {
        const version = u8();
        if (version > 5) throw fail(`pickle protocol ${version} is newer than 5, the newest this reader knows`);
        break;
      }
      case op.FRAME:
        // Frames only group opcodes for buffered reading; the whole pickle is in memory already.
        u64();
        break;
      case op.STOP:
        if (stack.length !== 1 || marks.length) throw fail(`STOP with ${stack.length} objects on the stack instead of one`);
        return stack[0];
      case op.MARK:
        marks.push(stack.length);
        break;
      case op.POP:
        pop();
        break;
      case op.POP_MARK:
        popMark();
        break;
      case op.DUP:
        stack.push(top());
        break;
      case op.NONE:
        stack.push(null);
        break;
      case op.NEWTRUE:
        stack.push(true);
        break;
      case op.NEWFALSE:
        stack.push(false);
        break;
      case op.BININT:
        need(4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case op.BININT1:
        stack.push(u8());
        break;
      case op.BININT2:
        stack.push(u16());
        break;
      case op.LONG1:
        stack.push(integer(take(u8())));
        break;
      case op.LONG4: {
        need(4);
        const n = view.getInt32(pos, true);
        pos += 4;
        if (n < 0) throw fail('LONG4 has a negative length');
        stack.push(integer(take(n)));
        break;
      }
      case op.BINFLOAT:
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case op.SHORT_BINUNICODE:
        stack.push(text(u8()));
        break;
      case op.BINUNICODE:
        stack.push(text(u32()));
        break;
      case op.BINUNICODE8:
        stack.push(text(u64()));
        break;
      case op.SHORT_BINSTRING:
        // Python 2 str; torch.load decodes them as UTF-8 too.
        stack.push(text(u8()));
        break;
      case op.BINSTRING: {
        need(4);
        const n = view.getInt32(pos, true);
        pos += 4;
        if (n < 0) throw fail('BINSTRING has a negative length');
        stack.push(text(n));
        break;
      }
      case op.SHORT_BINBYTES:
        stack.push(take(u8()).slice());
        break;
      case op.BINBYTES:
        stack.push(take(u32()).slice());
        break;
      case op.BINBYTES8:
      case op.BYTEARRAY8:
        stack.push(take(u64()).slice());
        break;
      case op.EMPTY_TUPLE:
        stack.push(Object.freeze([]));
        break;
      case op.TUPLE1:
      case op.TUPLE2:
      case op.TUPLE3: {
        const n = code - op.TUPLE1 + 1;
        const items: unknown[] = [];
        for (let i = 0; i < n; i++) items.unshift(pop());
        stack.push(Object.freeze(items));
        break;
      }
      case op.TUPLE:
        stack.push(Object.freeze(popMark()));
        break;
      case op.EMPTY_LIST:
        stack.push([]);
        break;
      case op.LIST:
        stack.push(popMark());
        break;
      case op.APPEND: {
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case op.APPENDS: {
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case op.EMPTY_DICT:
        stack.push(new Map());
        break;
      case op.DICT: {
        const d = new Map();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case op.SETITEM: {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case op.SETITEMS: {
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case op.EMPTY_SET:
        stack.push(new Set());
        break;
      case op.ADDITEMS: {
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) throw fail(`ADDITEMS on ${describe(s)}, not a set`);
        for (const v of items) s.add(v);
        break;
      }
      case op.FROZENSET:
        stack.push(new Set(popMark()));
        break;
      case op.BINPUT:
        memo.set(u8(), top());
        break;
      case op.LONG_BINPUT:
        memo.set(u32(), top());
        break;
      case op.MEMOIZE:
        memo.set(memo.size, top());
        break;
      case op.PUT: {
        const i = Number(line());
        if (!Number.isSafeInteger(i)) throw fail('PUT has no memo index');
        memo.set(i, top());
        break;
      }
      case op.BINGET:
        stack.push(memoGet(u8()));
        break;
      case op.LONG_BINGET:
        stack.push(memoGet(u32()));
        break;
      case op.GET:
        stack.push(memoGet(Number(line())));
        break;
      case op.GLOBAL: {
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case op.STACK_GLOBAL: {
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw fail('STACK_GLOBAL needs a module and a name as strings');
        stack.push(global(module, name));
        break;
      }
      case op.REDUCE: {
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case op.NEWOBJ: {
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case op.NEWOBJ_EX: {
        const kwargs = pop();
        const args = pop();
        if (!(kwargs instanceof Map) || kwargs.size) throw fail('NEWOBJ_EX with keyword arguments is not supported');
        stack.push(call(pop(), args));
        break;
      }
      case op.BUILD: {
        // The only BUILD torch.save writes for a state_dict sets attributes on the OrderedDict (its
        // `_metadata`, the module versions). Attributes are not part of the mapping, so the state is dropped.
        pop();
        const obj = top();
        if (!(obj instanceof Map)) throw fail(`BUILD (setting the state of ${describe(obj)}) is not supported`);
        break;
      }
      case op.BINPERSID: {
        const pid = pop();
        try {
          stack.push(options.persistentLoad(pid));
        } catch (e) {
          if (e instanceof CheckpointError) throw fail(e.message);
          throw e;
        }
        break;
      }
      default: {
        const why = refused.get(code);
        if (why) throw fail(`opcode ${why} is not supported`);
        const printable = code >= 0x20 && code < 0x7f ? ` '${String.fromCharCode(code)}'` : '';
        throw fail(`unknown or unsupported pickle opcode 0x${code.toString(16).padStart(2, '0')}${printable}`);
      }
    }
  }
}

/** A short description of a value, for messages. */
export function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PickleGlobal) return `global ${v.qualifiedName}`;
  if (v instanceof Map) return 'a dict';
  if (v instanceof Set) return 'a set';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return Object.isFrozen(v) ? 'a tuple' : 'a list';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'object') return `a ${v.constructor?.name ?? 'object'}`;
  return `the ${typeof v} ${String(v)}`;
}
