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
