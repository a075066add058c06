/**
 * chevrotain's runtime, loaded from the single-file ESM bundle its package ships (lib/chevrotain.mjs). The
 * package entry point (lib/src/api.js) imports several hundred lodash-es modules one by one: on this machine
 * that is 0.29 s and 30 MB added to every `effnet` start; the bundle of the same version loads in 15 ms.
 * The package's `exports` only names its entry point, so the bundle is found next to it. Types still come
 * from 'chevrotain'. Every value import of chevrotain goes through this file, so the tokens, the parser and
 * the diagram generator share one copy of the library.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type Chevrotain = typeof import('chevrotain');

const entry = createRequire(import.meta.url).resolve('chevrotain');
const bundle = path.join(path.dirname(entry), '..', 'chevrotain.mjs');
const chevrotain = (await import(pathToFileURL(bundle).href)) as Chevrotain;

export const { createToken, Lexer, CstParser, EOF, tokenLabel, createSyntaxDiagramsCode, generateCstDts } = chevrotain;
