/**
 * The .effnet grammar: syntax only. Meaning (which operators and options exist, what a value must be)
 * lives in src/syntax/cst-to-ast.ts and the checks, so the grammar stays small and its diagrams readable.
 *
 *   model efficientnet {              # one model per file
 *     input 224x224x3                 # setting:   NAME VALUE [OPTION VALUE]...
 *     stem conv channels 32 kernel 3  # layer:     OPERATOR [OPTION VALUE]...
 *     stages {                        # row:       OPERATOR FIELD... [OPTION VALUE]...
 *       mbconv 1 16 3 1 expand 1 se 0.25
 *     }
 *     variants { b1 width 1.0 depth 1.1 resolution 240 }
 *   }
 */
import type { CstNode } from 'chevrotain';
import { CstParser } from './chevrotain-runtime.js';
import * as t from './tokens.js';

export class EffnetParser extends CstParser {
  constructor() {
    super(t.allTokens, { recoveryEnabled: true, nodeLocationTracking: 'full', maxLookahead: 2 });
    this.performSelfAnalysis();
  }

  public file = this.RULE('file', () => {
    this.MANY(() => this.CONSUME(t.Newline));
    this.SUBRULE(this.model);
    this.MANY2(() => this.CONSUME2(t.Newline));
  });

  public model = this.RULE('model', () => {
    this.CONSUME(t.Model);
    this.CONSUME(t.Identifier);
    this.CONSUME(t.LCurly);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(t.Newline) },
        { ALT: () => this.SUBRULE(this.stem) },
        { ALT: () => this.SUBRULE(this.stages) },
        { ALT: () => this.SUBRULE(this.head) },
        { ALT: () => this.SUBRULE(this.classifier) },
        { ALT: () => this.SUBRULE(this.variants) },
        { ALT: () => this.SUBRULE(this.scaling) },
        { ALT: () => this.SUBRULE(this.params) },
        { ALT: () => this.SUBRULE(this.block) },
        { ALT: () => this.SUBRULE(this.setting) },
      ]);
    });
    this.CONSUME(t.RCurly);
  });

  /** `stem conv channels 32 kernel 3 stride 2`, or several layers in braces. */
  public stem = this.RULE('stem', () => {
    this.CONSUME(t.Stem);
    this.SUBRULE(this.layers);
  });

  public head = this.RULE('head', () => {
    this.CONSUME(t.Head);
    this.SUBRULE(this.layers);
  });

  public layers = this.RULE('layers', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.layer) },
      {
        ALT: () => {
          this.CONSUME(t.LCurly);
          this.MANY(() => {
            this.OR2([{ ALT: () => this.CONSUME(t.Newline) }, { ALT: () => this.SUBRULE2(this.layer) }]);
          });
          this.CONSUME(t.RCurly);
        },
      },
    ]);
  });

  public layer = this.RULE('layer', () => {
    this.CONSUME(t.Identifier);
    this.MANY(() => this.SUBRULE(this.namedOption));
  });

  /** The stage table: one row per stage, one line per row. */
  public stages = this.RULE('stages', () => {
    this.CONSUME(t.Stages);
    this.CONSUME(t.LCurly);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(t.Newline) }, { ALT: () => this.SUBRULE(this.row) }]);
    });
    this.CONSUME(t.RCurly);
  });

  public row = this.RULE('row', () => {
    this.CONSUME(t.Identifier);
    this.MANY(() => this.SUBRULE(this.field));
    this.MANY2(() => this.SUBRULE(this.namedOption));
  });

  /** A stage-table column: a number, '-', or a parenthesised expression such as `(growth * 2)`. */
  public field = this.RULE('field', () => {
    this.OR([
      { ALT: () => this.CONSUME(t.NumberLiteral) },
      { ALT: () => this.CONSUME(t.Dash) },
      {
        ALT: () => {
          this.CONSUME(t.LParen);
          this.SUBRULE(this.expression);
          this.CONSUME(t.RParen);
        },
      },
    ]);
  });

  public classifier = this.RULE('classifier', () => {
    this.CONSUME(t.Classifier);
    this.MANY(() => this.SUBRULE(this.namedOption));
  });

  /** Named members of a family: `b3 width 1.2 depth 1.4 resolution 300 dropout 0.3`. */
  public variants = this.RULE('variants', () => {
    this.CONSUME(t.Variants);
    this.CONSUME(t.LCurly);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(t.Newline) }, { ALT: () => this.SUBRULE(this.variant) }]);
    });
    this.CONSUME(t.RCurly);
  });

  public variant = this.RULE('variant', () => {
    this.CONSUME(t.Identifier);
    this.MANY(() => this.SUBRULE(this.namedOption));
  });

  public scaling = this.RULE('scaling', () => {
    this.CONSUME(t.Scaling);
    this.CONSUME(t.LCurly);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(t.Newline) }, { ALT: () => this.SUBRULE(this.setting) }]);
    });
    this.CONSUME(t.RCurly);
  });

  /** Model parameters: `params { growth 32  init 64 }`; values anywhere may name them, variants may set them. */
  public params = this.RULE('params', () => {
    this.CONSUME(t.Params);
    this.CONSUME(t.LCurly);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(t.Newline) }, { ALT: () => this.SUBRULE(this.setting) }]);
    });
    this.CONSUME(t.RCurly);
  });

  /** `block shuffle_unit(channels, stride, groups = 2) { STATEMENT ... }`: an operator made of primitives. */
  public block = this.RULE('block', () => {
    this.CONSUME(t.Block);
    this.CONSUME(t.Identifier);
    this.CONSUME(t.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.blockParam);
      this.MANY(() => {
        this.CONSUME(t.Comma);
        this.SUBRULE2(this.blockParam);
      });
    });
    this.CONSUME(t.RParen);
    this.CONSUME(t.LCurly);
    this.MANY2(() => {
      this.OR([
        { ALT: () => this.CONSUME(t.Newline) },
        { ALT: () => this.SUBRULE(this.letStatement) },
        { ALT: () => this.SUBRULE(this.statement) },
      ]);
    });
    this.CONSUME(t.RCurly);
  });

  /** A parameter, with a default when the row may leave it out: `groups = 1`. */
  public blockParam = this.RULE('blockParam', () => {
    this.CONSUME(t.Identifier);
    this.OPTION(() => {
      this.CONSUME(t.Equals);
      this.SUBRULE(this.expression);
    });
  });

  /** `let width = channels * 4`. */
  public letStatement = this.RULE('letStatement', () => {
    this.CONSUME(t.Let);
    this.CONSUME(t.Identifier);
    this.CONSUME(t.Equals);
    this.SUBRULE(this.expression);
  });

  /** `[a, b =] OP [OPTION VALUE]...`: one primitive (or block) applied to the tensors `from` names. */
  public statement = this.RULE('statement', () => {
    this.OPTION(() => {
      this.CONSUME(t.Identifier);
      this.MANY(() => {
        this.CONSUME(t.Comma);
        this.CONSUME2(t.Identifier);
      });
      this.CONSUME(t.Equals);
    });
    this.CONSUME3(t.Identifier);
    this.MANY2(() => this.SUBRULE(this.namedOption));
  });

  /** `norm batchnorm eps 1e-3 momentum 0.99`: a name, its value, then options. */
  public setting = this.RULE('setting', () => {
    this.CONSUME(t.Identifier);
    this.SUBRULE(this.value);
    this.MANY(() => this.SUBRULE(this.namedOption));
  });

  public namedOption = this.RULE('namedOption', () => {
    this.CONSUME(t.Identifier);
    this.SUBRULE(this.value);
  });

  /** One value, or a comma list such as `repeats 3,4,6,3` or `from a, b`. */
  public value = this.RULE('value', () => {
    this.SUBRULE(this.expression);
    this.MANY(() => {
      this.CONSUME(t.Comma);
      this.SUBRULE2(this.expression);
    });
  });

  /** Sums of products: `channels / 2`, `growth * 4 + 8`, `min(group_width, channels)`. */
  public expression = this.RULE('expression', () => {
    this.SUBRULE(this.term);
    this.MANY(() => {
      this.CONSUME(t.Plus);
      this.SUBRULE2(this.term);
    });
  });

  public term = this.RULE('term', () => {
    this.SUBRULE(this.atom);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(t.Star) }, { ALT: () => this.CONSUME(t.Slash) }]);
      this.SUBRULE2(this.atom);
    });
  });

  public atom = this.RULE('atom', () => {
    this.OR([
      { ALT: () => this.CONSUME(t.NumberLiteral) },
      { ALT: () => this.CONSUME(t.Dims) },
      {
        ALT: () => {
          this.CONSUME(t.Identifier);
          // A function call: round(in / 4), min(a, b).
          this.OPTION(() => {
            this.CONSUME(t.LParen);
            this.OPTION2(() => {
              this.SUBRULE(this.expression);
              this.MANY(() => {
                this.CONSUME(t.Comma);
                this.SUBRULE2(this.expression);
              });
            });
            this.CONSUME(t.RParen);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME2(t.LParen);
          this.SUBRULE3(this.expression);
          this.CONSUME2(t.RParen);
        },
      },
      { ALT: () => this.CONSUME(t.Dash) },
    ]);
  });
}

/** One parser instance is reused: chevrotain parsers are stateful but cheap to reset via `input`. */
export const effnetParser = new EffnetParser();

export type { CstNode };
