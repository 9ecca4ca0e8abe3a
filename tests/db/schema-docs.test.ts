import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateSchemaDocs, SCHEMA_DOCS_PATH } from '../../scripts/lib/schema-docs';

describe('docs/schema.md', () => {
  it('is what the migrations make, table by table, policy by policy, function by function', async () => {
    const fresh = await generateSchemaDocs();
    const committed = await readFile(SCHEMA_DOCS_PATH, 'utf8').catch(() => '');
    expect(committed === fresh, 'docs/schema.md is stale: run `npm run schema:docs` and commit it').toBe(true);
  });
});
