/** text → tokens → CST → AST. Lexing and syntax errors all come out in one run (chevrotain recovers). */
import type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
import { EOF, tokenLabel } from '../../grammar/chevrotain-runtime.js';
import { effnetLexer } from '../../grammar/tokens.js';
import { effnetParser } from '../../grammar/parser.js';
import { diagnostic, MAX_DIAGNOSTICS, type Diagnostic, type StageResult } from '../diagnostics/diagnostic.js';
import { LANGUAGE_VERSION, VERSION_SETTING } from '../ir/language-version.js';
import { lineColOf, type SourceFile } from '../source/source-file.js';
import { version } from '../version.js';
import type { ModelAst } from './ast.js';
import { cstToAst } from './cst-to-ast.js';

function describeToken(tok: IToken): string {
  if (tok.tokenType === EOF) return 'end of file';
  if (tok.tokenType.name === 'Newline') return 'end of line';
  return `'${tok.image}'`;
}

const label = (t: TokenType) => (t === EOF ? 'end of file' : tokenLabel(t));

function listLabels(types: readonly TokenType[]): string {
  const labels = [...new Set(types.map(label))];
  // The kinds of value (number, name, dimensions, '-', a parenthesised expression) read better as one word.
  const valueLabels = ['a number', 'a name', 'dimensions such as 224x224x3', "'-'", "'('"];
  if (labels.includes('a number') && labels.includes('a name') && labels.every((l) => valueLabels.includes(l))) return 'a value (a number, a name or dimensions)';
  if (labels.length === 1) return labels[0]!;
  return `one of ${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}`;
}

/** Chevrotain asks this for message text; we return only the "expected" part and add the rest ourselves. */
const expectedOnly: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected }) => label(expected),
  buildNotAllInputParsedMessage: () => 'end of file',
  buildNoViableAltMessage: ({ expectedPathsPerAlt }) => listLabels(expectedPathsPerAlt.flat().map((path) => path[0]!).filter(Boolean)),
  buildEarlyExitMessage: ({ expectedIterationPaths }) => listLabels(expectedIterationPaths.map((path) => path[0]!).filter(Boolean)),
};

// Installed once: the provider is a parser-wide setting in chevrotain.
(effnetParser as unknown as { errorMessageProvider: IParserErrorMessageProvider }).errorMessageProvider = expectedOnly;

export interface Parsed {
  readonly ast: ModelAst;
  /** Comment tokens, kept for the formatter. */
  readonly comments: readonly IToken[];
}

/** More tokens than any network spec has (B7's spec has under 400): refused before parsing, in milliseconds. */
export const MAX_TOKENS = 100_000;
/** Past this many unexpected characters the file is not a spec (a minified JSON file, a binary): stop before parsing. */
const MAX_LEX_ERRORS = 1000;

export function parse(file: SourceFile): StageResult<Parsed> {
  const diagnostics: Diagnostic[] = [];
  const lexed = effnetLexer.tokenize(file.text);
  // A file that is mostly characters the language does not use is not a spec: say that first, and do not parse it.
  const notASpec = lexed.errors.length > MAX_LEX_ERRORS;
  if (notASpec) {
    const at = lexed.errors[0]!.offset;
    diagnostics.push(diagnostic('E0104', { file: file.name, start: at, end: at }, { count: lexed.errors.length.toLocaleString('en-US') }));
  }
  for (const e of lexed.errors.slice(0, MAX_DIAGNOSTICS)) {
    // One whole character, even where it is two UTF-16 units (an emoji), so neither half is shown alone.
    const char = String.fromCodePoint(file.text.codePointAt(e.offset)!);
    diagnostics.push(diagnostic('E0101', { file: file.name, start: e.offset, end: e.offset + Math.max(e.length, char.length) }, { char }));
  }
  if (notASpec) return { diagnostics };
  if (lexed.tokens.length > MAX_TOKENS) {
    const at = lexed.tokens[MAX_TOKENS]!.startOffset;
    diagnostics.push(diagnostic('E0105', { file: file.name, start: at, end: at }, { tokens: lexed.tokens.length.toLocaleString('en-US'), limit: MAX_TOKENS.toLocaleString('en-US') }));
    return { diagnostics };
  }
  const newer = newerLanguage(file, lexed.tokens);
  if (newer) return { diagnostics: [newer] };
  effnetParser.input = lexed.tokens;
  const cst = effnetParser.file();
  // After one error on a line, recovery often trips again on the same line or at the closing brace:
  // those follow-on errors say nothing new, so only the first error of each line is kept, and
  // "expected end of file" only when it is the sole problem.
  const lineOf = (offset: number) => lineColOf(file, offset).line;
  const errorLines = new Set(lexed.errors.map((e) => lineOf(e.offset)));
  const parseErrors = effnetParser.errors.filter((e, i, all) => {
    if (e.name === 'NotAllInputParsedException' || (i > 0 && e.message === 'end of file')) return all.length === 1 && lexed.errors.length === 0;
    const line = Number.isNaN(e.token.startOffset) ? -1 : lineOf(e.token.startOffset);
    if (errorLines.has(line)) return false;
    errorLines.add(line);
    return true;
  });
  for (const e of parseErrors) {
    const tok = e.token;
    const atEnd = tok.tokenType === EOF || Number.isNaN(tok.startOffset);
    const start = atEnd ? file.text.length : tok.startOffset;
    const end = atEnd ? start : tok.endOffset! + 1;
    const span = { file: file.name, start, end };
    if (e.name === 'NotAllInputParsedException') diagnostics.push(diagnostic('E0202', span, { found: describeToken(tok) }));
    else diagnostics.push(diagnostic('E0201', span, { expected: e.message, found: atEnd ? 'end of file' : describeToken(tok) }));
  }
  if (diagnostics.length > 0) return { diagnostics };
  return { value: { ast: cstToAst(cst, file.name, file.text), comments: lexed.groups.comments ?? [] }, diagnostics };
}

/** Whether text is one name of the language (not a keyword): what a model or variant name may be. */
export function isName(text: string): boolean {
  const lexed = effnetLexer.tokenize(text);
  return lexed.errors.length === 0 && lexed.tokens.length === 1 && lexed.tokens[0]!.tokenType.name === 'Identifier' && lexed.tokens[0]!.image === text;
}

/**
 * `effnet N` with N past LANGUAGE_VERSION, found on the tokens before parsing: the rest of the file may be
 * syntax this parser does not know, so this is the one thing to say. Other values are the checker's (lower.ts).
 */
function newerLanguage(file: SourceFile, tokens: readonly IToken[]): Diagnostic | undefined {
  for (let i = 0; i + 1 < tokens.length; i++) {
    const [setting, value] = [tokens[i]!, tokens[i + 1]!];
    if (setting.image !== VERSION_SETTING || value.tokenType.name !== 'NumberLiteral') continue;
    const stated = Number(value.image);
    if (!(Number.isInteger(stated) && stated > LANGUAGE_VERSION)) continue;
    return diagnostic('E0337', { file: file.name, start: value.startOffset, end: value.endOffset! + 1 }, { stated: value.image, reads: LANGUAGE_VERSION, version });
  }
  return undefined;
}
