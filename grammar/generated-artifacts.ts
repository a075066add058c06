/**
 * Files derived from the grammar and kept in the repository for readers: the railroad syntax diagrams
 * (grammar/diagrams.html) and the CST type declarations (grammar/cst.generated.d.ts). A test regenerates
 * them and fails if the committed copies are stale; `npm run grammar` rewrites them.
 */
import { createSyntaxDiagramsCode, generateCstDts } from './chevrotain-runtime.js';
import { effnetParser } from './parser.js';

export const generatedFiles = {
  'diagrams.html': () =>
    createSyntaxDiagramsCode(effnetParser.getSerializedGastProductions(), {
      // Rendered from the installed chevrotain package: no network needed to view the page.
      resourceBase: '../node_modules/chevrotain/diagrams/',
      css: '../node_modules/chevrotain/diagrams/diagrams.css',
    }),
  'cst.generated.d.ts': () =>
    `// Generated from grammar/parser.ts by \`npm run grammar\`; do not edit.\n${generateCstDts(effnetParser.getGAstProductions())}`,
} as const;
