import { fileURLToPath } from 'node:url';

/** The repository's supabase/ folder (migrations and the local auth schema) for the embedded store. */
export const SUPABASE_DIR = fileURLToPath(new URL('../../supabase', import.meta.url));
