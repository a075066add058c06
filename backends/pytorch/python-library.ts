/**
 * The Python building blocks model.py is written with: one class per operator of the language, and the few
 * helpers they share. Each class builds exactly the layers infer-shapes.ts writes out for its operator, under
 * the same names (the block's node names without the block prefix: `expand_conv`, `se_reduce`, `1_bn`), and
 * registers them in graph order, so `state_dict()` lists effnet's keys in effnet's order. What varies from
 * block to block (channels, stride, pads, whether there is a shortcut) is a constructor argument that
 * module-tree.ts reads off the graph; the rules that decide the structure live in the graph, not here.
 *
 * Only torch, torch.nn and torch.nn.functional are used, and only APIs that behave the same on torch 1.13 and
 * 2.x (no torch.compile-only code paths, no inplace activations, no new-style padding strings).
 */
import { pyNumber } from './python-literals.js';

export interface PythonDefinition {
  /** The name the snippet defines (a class, a function or a table). */
  readonly name: string;
  /** Definitions the snippet uses, which model.py must also hold. */
  readonly needs: readonly string[];
  readonly code: string;
}

const ACTIVATIONS = `# effnet's activations by name: swish is x * sigmoid(x) (SiLU), hard_sigmoid relu6(x + 3) / 6 and
# hard_swish x * hard_sigmoid(x), which is how PyTorch defines nn.Hardsigmoid and nn.Hardswish.
ACTIVATIONS = {
    'relu': nn.ReLU,
    'relu6': nn.ReLU6,
    'swish': nn.SiLU,
    'sigmoid': nn.Sigmoid,
    'hard_sigmoid': nn.Hardsigmoid,
    'hard_swish': nn.Hardswish,
    'gelu': nn.GELU,  # the exact erf form (approximate='none', the default)
    'none': nn.Identity,
}


def activation(name):
    return ACTIVATIONS[name]()`;

const CONV2D = `def conv2d(cin, cout, kernel, stride=1, groups=1, bias=False, pads=None):
    """A convolution. \`pads\` are the graph's (top, left, bottom, right); None is kernel // 2 on every side.
    Symmetric pads are nn.Conv2d's own \`padding\`; others (TF "same" pads the extra pixel at the bottom and
    right, at stride 2 on even sizes) are an explicit F.pad before a padding-0 conv."""
    if pads is None:
        pads = (kernel // 2,) * 4
    top, left, bottom, right = pads
    if top == bottom and left == right:
        return nn.Conv2d(cin, cout, kernel, stride, padding=(top, left), groups=groups, bias=bias)
    return PaddedConv2d(cin, cout, kernel, stride, pads, groups=groups, bias=bias)


class PaddedConv2d(nn.Conv2d):
    """nn.Conv2d after explicit zero padding; its parameters are nn.Conv2d's, under the same names."""

    def __init__(self, cin, cout, kernel, stride, pads, groups=1, bias=False):
        super().__init__(cin, cout, kernel, stride, padding=0, groups=groups, bias=bias)
        top, left, bottom, right = pads
        self.pads = (left, right, top, bottom)  # F.pad's order: the last axis first

    def forward(self, x):
        return super().forward(F.pad(x, self.pads))

    def extra_repr(self):
        return super().extra_repr() + f', pads={self.pads}'`;

const DROP_PATH = `class DropPath(nn.Module):
    """Drop-connect (stochastic depth): in training, each sample's residual branch is dropped whole with
    probability p and the survivors are scaled by 1 / (1 - p), as torchvision's StochasticDepth(p, 'row');
    in eval mode, the identity."""

    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        keep = 1.0 - self.p
        mask = torch.empty((x.shape[0],) + (1,) * (x.dim() - 1), dtype=x.dtype, device=x.device).bernoulli_(keep)
        return x * mask.div_(keep)

    def extra_repr(self):
        return f'p={self.p}'`;

const SEQUENCE = `def sequence(**blocks):
    """nn.Sequential with its children named by the keywords, in order: stage2.block2a, stage2.block2b, ..."""
    seq = nn.Sequential()
    for name, block in blocks.items():
        seq.add_module(name, block)
    return seq`;

const SQUEEZE_EXCITE = `def add_squeeze_excite(block, channels, squeezed, act, gate):
    """Squeeze-excitation's layers, registered on the block itself (block2a.se_reduce, not block2a.se.reduce)."""
    block.se_reduce = nn.Conv2d(channels, squeezed, 1)
    block.se_reduce_activation = activation(act)
    block.se_expand = nn.Conv2d(squeezed, channels, 1)
    block.se_expand_activation = activation(gate)


def squeeze_excite(block, x):
    """Global mean, 1x1 conv (bias), activation, 1x1 conv (bias), gate, and x times the gate."""
    s = x.mean((2, 3), keepdim=True)
    s = block.se_reduce_activation(block.se_reduce(s))
    return x * block.se_expand_activation(block.se_expand(s))`;

const CONV_BN_ACT = `class ConvBnAct(nn.Module):
    """\`conv\`: convolution, batch norm (none with \`norm off\`), activation. Also a stem or head layer."""

    conv_name = 'conv'

    def __init__(self, cin, cout, kernel, stride=1, act='relu', groups=1, bias=False, norm=True, pads=None):
        super().__init__()
        self.add_module(self.conv_name, conv2d(cin, cout, kernel, stride, groups, bias, pads))
        self.bn = batch_norm(cout) if norm else nn.Identity()
        self.activation = activation(act)

    def forward(self, x):
        return self.activation(self.bn(self._modules[self.conv_name](x)))`;

const DW_CONV_BN_ACT = `class DWConvBnAct(ConvBnAct):
    """\`dwconv\`: a depthwise convolution (one filter per channel), batch norm, activation."""

    conv_name = 'dwconv'

    def __init__(self, channels, kernel, stride=1, act='relu', bias=False, norm=True, pads=None):
        super().__init__(channels, channels, kernel, stride, act, channels, bias, norm, pads)`;

const DW_SEP = `class DWSep(nn.Module):
    """\`dwsep\` (MobileNetV1): depthwise k x k with the stride, BN, activation, pointwise 1x1, BN, activation."""

    def __init__(self, cin, cout, kernel, stride, act, pads=None):
        super().__init__()
        self.dwconv = conv2d(cin, cin, kernel, stride, groups=cin, pads=pads)
        self.dw_bn = batch_norm(cin)
        self.dw_activation = activation(act)
        self.pwconv = conv2d(cin, cout, 1)
        self.pw_bn = batch_norm(cout)
        self.pw_activation = activation(act)

    def forward(self, x):
        x = self.dw_activation(self.dw_bn(self.dwconv(x)))
        return self.pw_activation(self.pw_bn(self.pwconv(x)))`;

const MB_CONV = `class MBConv(nn.Module):
    """\`mbconv\`, the inverted residual (MobileNetV2, EfficientNet): expand 1x1 (none when mid == cin),
    depthwise k x k with the stride, optional squeeze-excitation of \`se\` channels, linear 1x1 projection, and
    with \`skip\` the identity shortcut, its branch under drop-connect."""

    def __init__(self, cin, cout, mid, kernel, stride, act, se=0, se_act=None, se_gate='sigmoid', skip=False, drop=0.0, pads=None):
        super().__init__()
        self.expand = mid != cin
        if self.expand:
            self.expand_conv = conv2d(cin, mid, 1)
            self.expand_bn = batch_norm(mid)
            self.expand_activation = activation(act)
        self.dwconv = conv2d(mid, mid, kernel, stride, groups=mid, pads=pads)
        self.bn = batch_norm(mid)
        self.activation = activation(act)
        self.se = se > 0
        if self.se:
            add_squeeze_excite(self, mid, se, se_act or act, se_gate)
        self.project_conv = conv2d(mid, cout, 1)
        self.project_bn = batch_norm(cout)
        self.skip = skip
        if skip:
            self.drop = DropPath(drop)

    def forward(self, x):
        y = x
        if self.expand:
            y = self.expand_activation(self.expand_bn(self.expand_conv(y)))
        y = self.activation(self.bn(self.dwconv(y)))
        if self.se:
            y = squeeze_excite(self, y)
        y = self.project_bn(self.project_conv(y))
        return self.drop(y) + x if self.skip else y`;

const FUSED_MB_CONV = `class FusedMBConv(nn.Module):
    """\`fused_mbconv\` (EfficientNetV2): k x k expand conv with the stride, optional squeeze-excitation, linear
    1x1 projection; without expansion (mid == cin) one k x k conv and its activation do both."""

    def __init__(self, cin, cout, mid, kernel, stride, act, se=0, se_act=None, se_gate='sigmoid', skip=False, drop=0.0, pads=None):
        super().__init__()
        self.expand = mid != cin
        if self.expand:
            self.expand_conv = conv2d(cin, mid, kernel, stride, pads=pads)
            self.expand_bn = batch_norm(mid)
            self.expand_activation = activation(act)
        else:
            self.project_conv = conv2d(cin, cout, kernel, stride, pads=pads)
            self.project_bn = batch_norm(cout)
            self.project_activation = activation(act)
        self.se = se > 0
        if self.se:
            add_squeeze_excite(self, mid if self.expand else cout, se, se_act or act, se_gate)
        if self.expand:
            self.project_conv = conv2d(mid, cout, 1)
            self.project_bn = batch_norm(cout)
        self.skip = skip
        if skip:
            self.drop = DropPath(drop)

    def forward(self, x):
        if self.expand:
            y = self.expand_activation(self.expand_bn(self.expand_conv(x)))
        else:
            y = self.project_activation(self.project_bn(self.project_conv(x)))
        if self.se:
            y = squeeze_excite(self, y)
        if self.expand:
            y = self.project_bn(self.project_conv(y))
        return self.drop(y) + x if self.skip else y`;

const BASIC = `class Basic(nn.Module):
    """\`basic\` (ResNet-18/34): two k x k convs, the stride on the first; a strided 1x1 conv and BN project the
    shortcut when the shape changes; the activation comes after the sum."""

    def __init__(self, cin, cout, kernel, stride, act, drop=0.0, pads=None, pads2=None):
        super().__init__()
        # '1_conv' and the like are not Python identifiers: add_module names them, forward() looks them up.
        self.add_module('1_conv', conv2d(cin, cout, kernel, stride, pads=pads))
        self.add_module('1_bn', batch_norm(cout))
        self.add_module('1_activation', activation(act))
        self.add_module('2_conv', conv2d(cout, cout, kernel, pads=pads2))
        self.add_module('2_bn', batch_norm(cout))
        self.projection = stride != 1 or cin != cout
        if self.projection:
            self.add_module('0_conv', conv2d(cin, cout, 1, stride))
            self.add_module('0_bn', batch_norm(cout))
        self.drop = DropPath(drop)
        self.out = activation(act)

    def forward(self, x):
        layer = self._modules
        y = layer['1_activation'](layer['1_bn'](layer['1_conv'](x)))
        y = layer['2_bn'](layer['2_conv'](y))
        shortcut = layer['0_bn'](layer['0_conv'](x)) if self.projection else x
        return self.out(self.drop(y) + shortcut)`;

const BOTTLENECK = `class Bottleneck(nn.Module):
    """\`bottleneck\` (ResNet-50 and up, torchvision's "v1.5"): 1x1 to \`planes\`, k x k with the stride, 1x1 to
    cout; a strided 1x1 conv and BN project the shortcut when the shape changes; the activation after the sum."""

    def __init__(self, cin, cout, planes, kernel, stride, act, drop=0.0, pads=None):
        super().__init__()
        # '1_conv' and the like are not Python identifiers: add_module names them, forward() looks them up.
        self.add_module('1_conv', conv2d(cin, planes, 1))
        self.add_module('1_bn', batch_norm(planes))
        self.add_module('1_activation', activation(act))
        self.add_module('2_conv', conv2d(planes, planes, kernel, stride, pads=pads))
        self.add_module('2_bn', batch_norm(planes))
        self.add_module('2_activation', activation(act))
        self.add_module('3_conv', conv2d(planes, cout, 1))
        self.add_module('3_bn', batch_norm(cout))
        self.projection = stride != 1 or cin != cout
        if self.projection:
            self.add_module('0_conv', conv2d(cin, cout, 1, stride))
            self.add_module('0_bn', batch_norm(cout))
        self.drop = DropPath(drop)
        self.out = activation(act)

    def forward(self, x):
        layer = self._modules
        y = layer['1_activation'](layer['1_bn'](layer['1_conv'](x)))
        y = layer['2_activation'](layer['2_bn'](layer['2_conv'](y)))
        y = layer['3_bn'](layer['3_conv'](y))
        shortcut = layer['0_bn'](layer['0_conv'](x)) if self.projection else x
        return self.out(self.drop(y) + shortcut)`;

const MAX_POOL = `class MaxPool(nn.Module):
    """\`maxpool\`: the max over k x k windows; the padding is -inf, so it is never the max."""

    def __init__(self, kernel, stride, pads):
        super().__init__()
        top, left, bottom, right = pads
        self.kernel, self.stride = kernel, stride
        self.symmetric = top == bottom and left == right
        self.padding = (top, left)
        self.pads = (left, right, top, bottom)  # F.pad's order

    def forward(self, x):
        if self.symmetric:
            return F.max_pool2d(x, self.kernel, self.stride, self.padding)
        return F.max_pool2d(F.pad(x, self.pads, value=float('-inf')), self.kernel, self.stride)

    def extra_repr(self):
        return f'kernel={self.kernel}, stride={self.stride}, pads={self.pads}'`;

const AVG_POOL = `class AvgPool(nn.Module):
    """\`avgpool\`: the mean over k x k windows of the pixels inside the input; padding is not counted."""

    def __init__(self, kernel, stride, pads):
        super().__init__()
        top, left, bottom, right = pads
        self.kernel, self.stride = kernel, stride
        self.symmetric = top == bottom and left == right
        self.padding = (top, left)
        self.pads = (left, right, top, bottom)  # F.pad's order

    def forward(self, x):
        if self.symmetric:
            return F.avg_pool2d(x, self.kernel, self.stride, self.padding, count_include_pad=False)
        # Pads avg_pool2d cannot express: window sums of the zero-padded input over the real pixels in each.
        ones = torch.ones_like(x[:1, :1])
        total = F.avg_pool2d(F.pad(x, self.pads), self.kernel, self.stride)
        count = F.avg_pool2d(F.pad(ones, self.pads), self.kernel, self.stride)
        return total / count

    def extra_repr(self):
        return f'kernel={self.kernel}, stride={self.stride}, pads={self.pads}'`;

const GLOBAL_AVG_POOL = `class GlobalAvgPool(nn.Module):
    """\`gap\`: the spatial mean, [N, C, H, W] to [N, C]."""

    def forward(self, x):
        return x.mean((2, 3))`;

const DENSE = `class Dense(nn.Module):
    """\`dense\`: a fully connected layer and its activation (none unless the spec gives one)."""

    def __init__(self, cin, units, bias=True, act='none'):
        super().__init__()
        self.dense = nn.Linear(cin, units, bias=bias)
        self.dense_activation = activation(act)

    def forward(self, x):
        return self.dense_activation(self.dense(x))`;

const CLASSIFIER = `class Classifier(nn.Module):
    """The classifier: global average pool (when its input is a feature map), dropout, dense to the logits."""

    def __init__(self, cin, classes, dropout, pool=True):
        super().__init__()
        self.pool = pool
        self.top_dropout = nn.Dropout(dropout)
        self.predictions = nn.Linear(cin, classes)

    def forward(self, x):
        if self.pool:
            x = x.mean((2, 3))
        return self.predictions(self.top_dropout(x))`;

const BLOCK = `class Block(nn.Module):
    """A block the spec defines itself (\`block NAME(...) { ... }\`): its layers in order, each applied to the
    tensors it names ('in' is the block's input), under the names effnet gives them; returns the last one's."""

    def __init__(self, *steps):
        super().__init__()
        self.reads = {}
        for name, reads, module in steps:
            self.add_module(name, module)
            self.reads[name] = (reads,) if isinstance(reads, str) else tuple(reads)

    def forward(self, x):
        values = {'in': x}
        for name, module in self._modules.items():
            values[name] = module(*(values[r] for r in self.reads[name]))
        return values[name]`;

const JOINS = `class Add(nn.Module):
    def forward(self, a, b):
        return a + b


class Multiply(nn.Module):
    """x times a gate, which may be [N, C, 1, 1] and broadcast (squeeze-excitation)."""

    def forward(self, x, gate):
        return x * gate


class Concat(nn.Module):
    """Its inputs side by side along the channels, in the order given."""

    def forward(self, *xs):
        return torch.cat(xs, 1)`;

const CHANNEL_OPS = `class ChannelSlice(nn.Module):
    """Channels [start, start + size): one part of a split."""

    def __init__(self, start, size):
        super().__init__()
        self.start, self.size = start, size

    def forward(self, x):
        return x[:, self.start:self.start + self.size]

    def extra_repr(self):
        return f'start={self.start}, size={self.size}'


class ChannelShuffle(nn.Module):
    """ShuffleNet's shuffle: [N, g, C / g, H, W], the two channel axes swapped, flattened back."""

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, x):
        n, c, h, w = x.shape
        return x.view(n, self.groups, c // self.groups, h, w).transpose(1, 2).reshape(n, c, h, w)

    def extra_repr(self):
        return f'groups={self.groups}'


class SpatialMean(nn.Module):
    """The mean over height and width, kept as [N, C, 1, 1] (a squeeze)."""

    def forward(self, x):
        return x.mean((2, 3), keepdim=True)`;

const LAYER_NORM = `class LayerNorm(nn.LayerNorm):
    """Layer norm over the channels: at every position of an [N, C, H, W] map (ConvNeXt's LayerNorm2d), or of an
    [N, C] vector; nn.LayerNorm's parameters, under its names."""

    def forward(self, x):
        if x.dim() == 4:
            return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        return super().forward(x)


class LayerScale(nn.Module):
    """A learnable per-channel scale (ConvNeXt's layer_scale), a [C] vector under the name weight."""

    def __init__(self, channels, init):
        super().__init__()
        self.weight = nn.Parameter(torch.full((channels,), float(init)))

    def forward(self, x):
        return x * (self.weight.view(1, -1, 1, 1) if x.dim() == 4 else self.weight)`;

/** The spec's batch norm, or its absence (`norm none`): BN_EPS and BN_MOMENTUM are PyTorch's, converted. */
function batchNorm(norm: { readonly eps: number; readonly momentum: number } | undefined): string {
  if (!norm) {
    return `def batch_norm(channels):
    """The spec says \`norm none\`: no batch norm anywhere."""
    return nn.Identity()`;
  }
  // The spec's momentum is Keras's moving-average decay (running = m * running + (1 - m) * batch); PyTorch's
  // is the weight of the new batch, 1 - m. Rounded to 12 digits so 1 - 0.99 reads 0.01, not 0.010000000000000009.
  const momentum = Number((1 - norm.momentum).toPrecision(12));
  return `BN_EPS = ${pyNumber(norm.eps)}
BN_MOMENTUM = ${pyNumber(momentum)}  # PyTorch's momentum, 1 - the spec's ${pyNumber(norm.momentum)} (Keras's moving-average decay)


def batch_norm(channels):
    return nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)`;
}

/** Every definition, in the order model.py lists them (helpers before the classes that use them). */
export function pythonLibrary(norm: { readonly eps: number; readonly momentum: number } | undefined): readonly PythonDefinition[] {
  return [
    { name: 'activation', needs: [], code: ACTIVATIONS },
    { name: 'conv2d', needs: [], code: CONV2D },
    { name: 'batch_norm', needs: [], code: batchNorm(norm) },
    { name: 'DropPath', needs: [], code: DROP_PATH },
    { name: 'sequence', needs: [], code: SEQUENCE },
    { name: 'squeeze_excite', needs: ['activation'], code: SQUEEZE_EXCITE },
    { name: 'ConvBnAct', needs: ['conv2d', 'batch_norm', 'activation'], code: CONV_BN_ACT },
    { name: 'DWConvBnAct', needs: ['ConvBnAct'], code: DW_CONV_BN_ACT },
    { name: 'DWSep', needs: ['conv2d', 'batch_norm', 'activation'], code: DW_SEP },
    { name: 'MBConv', needs: ['conv2d', 'batch_norm', 'activation', 'squeeze_excite', 'DropPath'], code: MB_CONV },
    { name: 'FusedMBConv', needs: ['conv2d', 'batch_norm', 'activation', 'squeeze_excite', 'DropPath'], code: FUSED_MB_CONV },
    { name: 'Basic', needs: ['conv2d', 'batch_norm', 'activation', 'DropPath'], code: BASIC },
    { name: 'Bottleneck', needs: ['conv2d', 'batch_norm', 'activation', 'DropPath'], code: BOTTLENECK },
    { name: 'MaxPool', needs: [], code: MAX_POOL },
    { name: 'AvgPool', needs: [], code: AVG_POOL },
    { name: 'GlobalAvgPool', needs: [], code: GLOBAL_AVG_POOL },
    { name: 'Dense', needs: ['activation'], code: DENSE },
    { name: 'Classifier', needs: [], code: CLASSIFIER },
    { name: 'Block', needs: [], code: BLOCK },
    { name: 'Add', needs: [], code: JOINS },
    { name: 'ChannelSlice', needs: [], code: CHANNEL_OPS },
    { name: 'LayerNorm', needs: [], code: LAYER_NORM },
  ];
}

/** The layer classes a block can be built with (module-tree.ts picks one per block). */
export type LayerClass = 'ConvBnAct' | 'DWConvBnAct' | 'DWSep' | 'MBConv' | 'FusedMBConv' | 'Basic' | 'Bottleneck' | 'MaxPool' | 'AvgPool' | 'GlobalAvgPool' | 'Dense' | 'Classifier' | 'Block';

/** Every top-level name model.py may define besides the model class, which the class name must not shadow. */
export const libraryNames: ReadonlySet<string> = new Set([
  ...pythonLibrary(undefined).map((d) => d.name),
  'ACTIVATIONS', 'PaddedConv2d', 'add_squeeze_excite', 'BN_EPS', 'BN_MOMENTUM', 'torch', 'nn', 'F',
  'Multiply', 'Concat', 'ChannelShuffle', 'SpatialMean', 'LayerScale',
]);
