/**
 * Tokens of the .effnet language. Order matters to chevrotain: the first pattern that matches wins, so
 * Dims comes before Number ("224x224x3" is one token) and keywords come before Identifier (each keyword
 * names Identifier as its longer_alt, so "stems" still lexes as a name).
 */
import type { TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain-runtime.js';

// ---- trivia ----
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t]+/, group: Lexer.SKIPPED });
/** Comments are kept on their own channel so the formatter can put them back. */
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: 'comments', label: 'a comment' });
/** Lines end statements: a stage row is one line, like a row of the paper's Table 1. */
export const Newline = createToken({ name: 'Newline', pattern: /\r\n?|\n/, line_breaks: true, label: 'end of line' });

// ---- names ----
/** Letters, digits, '_' and inner '-' (efficientnet-b0, hard-swish); a lone '-' is Dash. */
export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*/,
  label: 'a name',
});

function keyword(word: string): TokenType {
  const name = word[0]!.toUpperCase() + word.slice(1);
  return createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, label: `'${word}'` });
}
export const Model = keyword('model');
export const Stem = keyword('stem');
export const Stages = keyword('stages');
export const Head = keyword('head');
export const Classifier = keyword('classifier');
export const Variants = keyword('variants');
export const Scaling = keyword('scaling');
/** A user-defined block: `block NAME(PARAM, ...) { STATEMENT ... }`. */
export const Block = keyword('block');
/** Model parameters variants can set: `params { growth 32 }`. */
export const Params = keyword('params');
/** A named number inside a block: `let width = channels * 4`. */
export const Let = keyword('let');

// ---- literals ----
/** Height x width x channels, as in 'input 224x224x3'. */
export const Dims = createToken({ name: 'Dims', pattern: /\d+(?:x\d+)+/, label: 'dimensions such as 224x224x3' });
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  // A sign is part of the number (so '-1' is reported as a bad value, not as a stray '-').
  pattern: /-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/,
  label: 'a number',
});

// ---- punctuation ----
export const LCurly = createToken({ name: 'LCurly', pattern: /\{/, label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: /\}/, label: "'}'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const Equals = createToken({ name: 'Equals', pattern: /=/, label: "'='" });
// Arithmetic in values (`channels / 2`, `growth * 4`); no binary minus: '-' already stands for an unused
// field, and names may hold an inner '-'.
export const Star = createToken({ name: 'Star', pattern: /\*/, label: "'*'" });
export const Slash = createToken({ name: 'Slash', pattern: /\//, label: "'/'" });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, label: "'+'" });
/** Stands for a stage field the operator does not use, e.g. the channels of a pooling stage. */
export const Dash = createToken({ name: 'Dash', pattern: /-/, label: "'-'" });

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  Newline,
  Model,
  Stem,
  Stages,
  Head,
  Classifier,
  Variants,
  Scaling,
  Block,
  Params,
  Let,
  Identifier,
  Dims,
  NumberLiteral,
  LCurly,
  RCurly,
  Comma,
  LParen,
  RParen,
  Equals,
  Star,
  Slash,
  Plus,
  Dash,
];

export const keywords = ['model', 'stem', 'stages', 'head', 'classifier', 'variants', 'scaling', 'block', 'params', 'let'] as const;

export const effnetLexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: true });
