// Generated from grammar/parser.ts by `npm run grammar`; do not edit.
import type { CstNode, ICstVisitor, IToken } from "chevrotain";

export interface FileCstNode extends CstNode {
  name: "file";
  children: FileCstChildren;
}

export type FileCstChildren = {
  Newline?: (IToken)[];
  model: ModelCstNode[];
};

export interface ModelCstNode extends CstNode {
  name: "model";
  children: ModelCstChildren;
}

export type ModelCstChildren = {
  Model: IToken[];
  Identifier: IToken[];
  LCurly: IToken[];
  Newline?: IToken[];
  stem?: StemCstNode[];
  stages?: StagesCstNode[];
  head?: HeadCstNode[];
  classifier?: ClassifierCstNode[];
  variants?: VariantsCstNode[];
  scaling?: ScalingCstNode[];
  params?: ParamsCstNode[];
  block?: BlockCstNode[];
  setting?: SettingCstNode[];
  RCurly: IToken[];
};

export interface StemCstNode extends CstNode {
  name: "stem";
  children: StemCstChildren;
}

export type StemCstChildren = {
  Stem: IToken[];
  layers: LayersCstNode[];
};

export interface HeadCstNode extends CstNode {
  name: "head";
  children: HeadCstChildren;
}

export type HeadCstChildren = {
  Head: IToken[];
  layers: LayersCstNode[];
};

export interface LayersCstNode extends CstNode {
  name: "layers";
  children: LayersCstChildren;
}

export type LayersCstChildren = {
  layer?: (LayerCstNode)[];
  LCurly?: IToken[];
  Newline?: IToken[];
  RCurly?: IToken[];
};

export interface LayerCstNode extends CstNode {
  name: "layer";
  children: LayerCstChildren;
}

export type LayerCstChildren = {
  Identifier: IToken[];
  namedOption?: NamedOptionCstNode[];
};

export interface StagesCstNode extends CstNode {
  name: "stages";
  children: StagesCstChildren;
}

export type StagesCstChildren = {
  Stages: IToken[];
  LCurly: IToken[];
  Newline?: IToken[];
  row?: RowCstNode[];
  RCurly: IToken[];
};

export interface RowCstNode extends CstNode {
  name: "row";
  children: RowCstChildren;
}

export type RowCstChildren = {
  Identifier: IToken[];
  field?: FieldCstNode[];
  namedOption?: NamedOptionCstNode[];
};

export interface FieldCstNode extends CstNode {
  name: "field";
  children: FieldCstChildren;
}

export type FieldCstChildren = {
  NumberLiteral?: IToken[];
  Dash?: IToken[];
  LParen?: IToken[];
  expression?: ExpressionCstNode[];
  RParen?: IToken[];
};

export interface ClassifierCstNode extends CstNode {
  name: "classifier";
  children: ClassifierCstChildren;
}

export type ClassifierCstChildren = {
  Classifier: IToken[];
  namedOption?: NamedOptionCstNode[];
};

export interface VariantsCstNode extends CstNode {
  name: "variants";
  children: VariantsCstChildren;
}

export type VariantsCstChildren = {
  Variants: IToken[];
  LCurly: IToken[];
  Newline?: IToken[];
  variant?: VariantCstNode[];
  RCurly: IToken[];
};

export interface VariantCstNode extends CstNode {
  name: "variant";
  children: VariantCstChildren;
}

export type VariantCstChildren = {
  Identifier: IToken[];
  namedOption?: NamedOptionCstNode[];
};

export interface ScalingCstNode extends CstNode {
  name: "scaling";
  children: ScalingCstChildren;
}

export type ScalingCstChildren = {
  Scaling: IToken[];
  LCurly: IToken[];
  Newline?: IToken[];
  setting?: SettingCstNode[];
  RCurly: IToken[];
};

export interface ParamsCstNode extends CstNode {
  name: "params";
  children: ParamsCstChildren;
}

export type ParamsCstChildren = {
  Params: IToken[];
  LCurly: IToken[];
  Newline?: IToken[];
  setting?: SettingCstNode[];
  RCurly: IToken[];
};

export interface BlockCstNode extends CstNode {
  name: "block";
  children: BlockCstChildren;
}

export type BlockCstChildren = {
  Block: IToken[];
  Identifier: IToken[];
  LParen: IToken[];
  blockParam?: (BlockParamCstNode)[];
  Comma?: IToken[];
  RParen: IToken[];
  LCurly: IToken[];
  Newline?: IToken[];
  letStatement?: LetStatementCstNode[];
  statement?: StatementCstNode[];
  RCurly: IToken[];
};

export interface BlockParamCstNode extends CstNode {
  name: "blockParam";
  children: BlockParamCstChildren;
}

export type BlockParamCstChildren = {
  Identifier: IToken[];
  Equals?: IToken[];
  expression?: ExpressionCstNode[];
};

export interface LetStatementCstNode extends CstNode {
  name: "letStatement";
  children: LetStatementCstChildren;
}

export type LetStatementCstChildren = {
  Let: IToken[];
  Identifier: IToken[];
  Equals: IToken[];
  expression: ExpressionCstNode[];
};

export interface StatementCstNode extends CstNode {
  name: "statement";
  children: StatementCstChildren;
}

export type StatementCstChildren = {
  Identifier: (IToken)[];
  Comma?: IToken[];
  Equals?: IToken[];
  namedOption?: NamedOptionCstNode[];
};

export interface SettingCstNode extends CstNode {
  name: "setting";
  children: SettingCstChildren;
}

export type SettingCstChildren = {
  Identifier: IToken[];
  value: ValueCstNode[];
  namedOption?: NamedOptionCstNode[];
};

export interface NamedOptionCstNode extends CstNode {
  name: "namedOption";
  children: NamedOptionCstChildren;
}

export type NamedOptionCstChildren = {
  Identifier: IToken[];
  value: ValueCstNode[];
};

export interface ValueCstNode extends CstNode {
  name: "value";
  children: ValueCstChildren;
}

export type ValueCstChildren = {
  expression: (ExpressionCstNode)[];
  Comma?: IToken[];
};

export interface ExpressionCstNode extends CstNode {
  name: "expression";
  children: ExpressionCstChildren;
}

export type ExpressionCstChildren = {
  term: (TermCstNode)[];
  Plus?: IToken[];
};

export interface TermCstNode extends CstNode {
  name: "term";
  children: TermCstChildren;
}

export type TermCstChildren = {
  atom: (AtomCstNode)[];
  Star?: IToken[];
  Slash?: IToken[];
};

export interface AtomCstNode extends CstNode {
  name: "atom";
  children: AtomCstChildren;
}

export type AtomCstChildren = {
  NumberLiteral?: IToken[];
  Dims?: IToken[];
  Identifier?: IToken[];
  LParen?: (IToken)[];
  expression?: (ExpressionCstNode)[];
  Comma?: IToken[];
  RParen?: (IToken)[];
  Dash?: IToken[];
};

export interface ICstNodeVisitor<IN, OUT> extends ICstVisitor<IN, OUT> {
  file(children: FileCstChildren, param?: IN): OUT;
  model(children: ModelCstChildren, param?: IN): OUT;
  stem(children: StemCstChildren, param?: IN): OUT;
  head(children: HeadCstChildren, param?: IN): OUT;
  layers(children: LayersCstChildren, param?: IN): OUT;
  layer(children: LayerCstChildren, param?: IN): OUT;
  stages(children: StagesCstChildren, param?: IN): OUT;
  row(children: RowCstChildren, param?: IN): OUT;
  field(children: FieldCstChildren, param?: IN): OUT;
  classifier(children: ClassifierCstChildren, param?: IN): OUT;
  variants(children: VariantsCstChildren, param?: IN): OUT;
  variant(children: VariantCstChildren, param?: IN): OUT;
  scaling(children: ScalingCstChildren, param?: IN): OUT;
  params(children: ParamsCstChildren, param?: IN): OUT;
  block(children: BlockCstChildren, param?: IN): OUT;
  blockParam(children: BlockParamCstChildren, param?: IN): OUT;
  letStatement(children: LetStatementCstChildren, param?: IN): OUT;
  statement(children: StatementCstChildren, param?: IN): OUT;
  setting(children: SettingCstChildren, param?: IN): OUT;
  namedOption(children: NamedOptionCstChildren, param?: IN): OUT;
  value(children: ValueCstChildren, param?: IN): OUT;
  expression(children: ExpressionCstChildren, param?: IN): OUT;
  term(children: TermCstChildren, param?: IN): OUT;
  atom(children: AtomCstChildren, param?: IN): OUT;
}
