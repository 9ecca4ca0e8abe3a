import { writeFile } from 'node:fs/promises';
import { generateSchemaDocs, SCHEMA_DOCS_PATH } from './lib/schema-docs';

// Regenerates docs/schema.md from the migrations: `npm run schema:docs`. tests/db/schema-docs.test.ts
// fails while the committed file differs from what this writes.
const markdown = await generateSchemaDocs();
await writeFile(SCHEMA_DOCS_PATH, markdown);
console.log(`Wrote ${SCHEMA_DOCS_PATH} (${markdown.split('\n').length} lines).`);
