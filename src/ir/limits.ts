/**
 * The largest value each number of a spec may take. Far above any real network (B7 has 3840 channels and
 * 600 px inputs; ConvNeXt's largest kernel is 7), yet low enough that every derived size stays an exact
 * integer and every field fits the 32-bit integers ONNX and TF.js encode it in. A value past its limit is
 * reported where it is written, naming the field, instead of surfacing later as a mis-encoded stride or an
 * "Infinity" in a message.
 */
export const MAX_VALUE: Readonly<Record<string, number>> = {
  repeats: 100_000,
  channels: 1 << 20,
  kernel: 1024,
  stride: 1024,
  groups: 1 << 20,
  mid: 1 << 20,
  expand: 1024,
  expansion: 1024,
  se_divisor: 1 << 20,
  input: 65_536,
  'input channels': 1 << 20,
  classes: 1 << 24,
  resolution: 65_536,
  divisor: 1 << 20,
  min_channels: 1 << 20,
  resolution_divisor: 65_536,
  width: 1000,
  depth: 1000,
  eps: 1,
  alpha: 10,
  beta: 10,
  gamma: 10,
};

/** The limit of a field, or 2^31 - 1 for one the table does not name. */
export const maxValue = (field: string): number => MAX_VALUE[field] ?? 2 ** 31 - 1;
