/** Rewrites the grammar's generated files (see grammar/generated-artifacts.ts). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from '../generated-artifacts.js';

// Compiled to dist/grammar/scripts/; the sources live two levels above dist/.
const grammarDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../grammar');
for (const [name, make] of Object.entries(generatedFiles)) {
  writeFileSync(path.join(grammarDir, name), make());
  console.log(`wrote grammar/${name}`);
}
