/** The activation vocabulary, with the spellings people use for each (timm, Keras, PyTorch). */
export const activations = ['relu', 'relu6', 'swish', 'hard_swish', 'sigmoid', 'hard_sigmoid', 'gelu', 'none'] as const;
export type Activation = (typeof activations)[number];

const aliases: Readonly<Record<string, Activation>> = {
  silu: 'swish',
  'hard-swish': 'hard_swish',
  hswish: 'hard_swish',
  'hard-sigmoid': 'hard_sigmoid',
  hsigmoid: 'hard_sigmoid',
  linear: 'none',
  identity: 'none',
};

/** The canonical activation for a spelling, or undefined if it names none. */
export function activationNamed(name: string): Activation | undefined {
  const lower = name.toLowerCase();
  return (activations as readonly string[]).includes(lower) ? (lower as Activation) : aliases[lower];
}

/** One-line meaning of each activation, for hovers and completion lists. */
export const activationDocs: Readonly<Record<Activation, string>> = {
  relu: 'max(x, 0)',
  relu6: 'min(max(x, 0), 6) (MobileNetV2)',
  swish: 'x * sigmoid(x), also called silu (EfficientNet)',
  hard_swish: 'x * relu6(x + 3) / 6 (MobileNetV3)',
  sigmoid: '1 / (1 + exp(-x))',
  hard_sigmoid: 'relu6(x + 3) / 6, as PyTorch (MobileNetV3 SE gate)',
  gelu: 'x * Phi(x), the exact erf form (ConvNeXt, PyTorch default)',
  none: 'no activation: the layer is linear',
};
