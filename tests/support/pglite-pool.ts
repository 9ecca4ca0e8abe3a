import type { PGlite } from '@electric-sql/pglite';
import { openMigratedPglite } from './pglite-snapshot';

/**
 * Booting PGlite from the migrated snapshot costs 0.5 to 0.9 s of CPU, and a run of the suite
 * booted 113 of them: about 100 s of the run's 230 s of CPU (issue 17). A worker runs many files
 * one after another (`isolate: false`), so it keeps the databases its files are done with, puts
 * each back as the snapshot left it, and lends it to its next file.
 *
 * "As the snapshot left it" is checked, never assumed. The reset ends the session's state
 * (`DISCARD ALL`: role, settings, prepared statements, temporary tables, LISTEN) and empties every
 * table the snapshot had empty. Then a fingerprint of the catalog (schemas, tables, columns,
 * constraints, functions, policies, triggers, roles, grants, settings, statistics) and of the rows
 * of the tables the snapshot fills must equal the fresh snapshot's. A database a file changed in
 * any other way is closed, never lent again. A file's late call after it gave the database back
 * fails, as on a closed one: it cannot write into the next file's database.
 */
export interface PgliteLease {
  /** The database for this file only: every use after `release()` throws. */
  db: PGlite;
  /** Which of this worker's databases it is: the same number when one is lent again. */
  serial: number;
  /** Gives the database back (it is reset for the next file, or closed); idempotent. */
  release(): Promise<void>;
}

interface SnapshotShape {
  /** Tables the snapshot holds no rows in, quoted: the reset empties them. */
  emptyTables: string[];
  /** Tables it holds rows in (the migrations' own records, the Storage bucket): fingerprinted. */
  filledTables: string[];
  fingerprint: string;
}

/** Databases kept per worker: files open at most two at once. */
const MAX_IDLE = 2;
/** A reset that waits longer than this on a file's unfinished transaction gives the database up. */
const RESET_TIMEOUT_MS = 5_000;

const idle: { db: PGlite; serial: number }[] = [];
let shape: Promise<SnapshotShape> | undefined;
const counts = { booted: 0, reused: 0, discarded: 0 };

/** How many databases this worker booted, lent again and gave up (for the pool's own test). */
export function pgliteLeaseCounts(): Readonly<typeof counts> {
  return { ...counts };
}

/** A migrated database as the snapshot left it: one this worker reset, or a fresh boot. */
export async function leasePglite(supabaseDir: string): Promise<PgliteLease> {
  let kept = idle.pop();
  if (kept) counts.reused += 1;
  else {
    kept = { db: await openMigratedPglite(supabaseDir), serial: ++counts.booted };
    // The first fresh boot describes the snapshot; every reset is held to that description.
    shape ??= describeSnapshot(kept.db);
  }
  const expected = await shape!;
  const { db: own, serial } = kept;
  const { proxy, revoke } = Proxy.revocable(own, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  let released: Promise<void> | undefined;
  return {
    db: proxy,
    serial,
    release() {
      released ??= (async () => {
        revoke();
        if (idle.length < MAX_IDLE && (await resetToSnapshot(own, expected))) idle.push({ db: own, serial });
        else {
          counts.discarded += 1;
          void own.close().catch(() => undefined);
        }
      })();
      return released;
    },
  };
}

const USER_SCHEMAS = `
  select oid, nspname from pg_namespace
  where nspname not in ('pg_catalog', 'information_schema') and nspname !~ '^pg_(toast|temp)'`;

async function describeSnapshot(db: PGlite): Promise<SnapshotShape> {
  const tables = await db.query<{ name: string }>(`
    with user_schemas as (${USER_SCHEMAS})
    select format('%I.%I', n.nspname, c.relname) as name
    from pg_class c join user_schemas n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') order by 1`);
  const emptyTables: string[] = [];
  const filledTables: string[] = [];
  for (const { name } of tables.rows) {
    const rows = await db.query(`select 1 from ${name} limit 1`);
    (rows.rows.length ? filledTables : emptyTables).push(name);
  }
  return { emptyTables, filledTables, fingerprint: await fingerprintOf(db, filledTables) };
}

async function fingerprintOf(db: PGlite, filledTables: readonly string[]): Promise<string> {
  const rows = filledTables.map(
    (table) => `select format('rows %s %s', ${literal(table)}, (select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) from ${table} t))`,
  );
  const result = await db.query<{ line: string }>(`
    with user_schemas as (${USER_SCHEMAS}),
    lines as (
      select format('schema %s %s %s', nspname, nspowner::regrole, nspacl) as line from pg_namespace where nspname !~ '^pg_(toast_)?temp'
      union all
      -- reltuples: -1 until a VACUUM or ANALYZE counted the rows (TRUNCATE resets it). Not relpages:
      -- TRUNCATE leaves an index 0 pages where CREATE INDEX wrote its 1-page head, and the planner reads the file's size.
      select format('relation %s.%s %s %s %s %s %s %s', n.nspname, c.relname, c.relkind, c.relowner::regrole, c.relacl,
                    c.relrowsecurity, c.relforcerowsecurity, case when c.relkind in ('r', 'p') then c.reltuples end)
        from pg_class c join user_schemas n on n.oid = c.relnamespace
      union all
      select format('column %s %s %s %s %s %s', a.attrelid::regclass, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                    a.attacl, pg_get_expr(d.adbin, d.adrelid))
        from pg_attribute a join pg_class c on c.oid = a.attrelid join user_schemas n on n.oid = c.relnamespace
        left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
        where a.attnum > 0 and not a.attisdropped
      union all
      select format('constraint %s %s %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
        from pg_constraint c join user_schemas n on n.oid = c.connamespace
      union all
      select format('function %s %s %s %s %s %s', p.oid::regprocedure, md5(p.prosrc), p.prosecdef, p.provolatile, p.proacl, p.proconfig)
        from pg_proc p join user_schemas n on n.oid = p.pronamespace
      union all
      select format('policy %s %s %s %s %s %s', polrelid::regclass, polname, polcmd, polroles::regrole[],
                    pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid)) from pg_policy
      union all
      select format('trigger %s %s %s', tgrelid::regclass, tgname, tgenabled) from pg_trigger where not tgisinternal
      union all
      select format('role %s %s %s %s %s %s', rolname, rolsuper, rolinherit, rolcanlogin, rolbypassrls, rolconfig) from pg_roles
      union all
      select format('member %s %s', roleid::regrole, member::regrole) from pg_auth_members
      union all
      select format('setting %s %s %s', setdatabase, setrole, setconfig) from pg_db_role_setting
      union all
      select format('default acl %s %s', defaclrole::regrole, defaclacl) from pg_default_acl
      union all
      select format('statistics %s', s.starelid::regclass)
        from pg_statistic s join pg_class c on c.oid = s.starelid join user_schemas n on n.oid = c.relnamespace
      union all
      select format('extension %s %s', extname, extversion) from pg_extension
      union all
      select format('event trigger %s %s', evtname, evtenabled) from pg_event_trigger
      ${rows.map((row) => `union all ${row}`).join('\n')}
    )
    select line from lines order by line`);
  return result.rows.map((row) => row.line).join('\n');
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Resets the database to the snapshot and proves it; false when it cannot be lent again. */
async function resetToSnapshot(db: PGlite, expected: SnapshotShape): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), RESET_TIMEOUT_MS);
    timer.unref();
  });
  const reset = (async () => {
    // Outside any transaction: DISCARD ALL refuses to run inside one, and fails the reset if a file left one open.
    await db.exec('discard all');
    if (expected.emptyTables.length) await db.exec(`truncate ${expected.emptyTables.join(', ')} restart identity cascade`);
    return (await fingerprintOf(db, expected.filledTables)) === expected.fingerprint;
  })().catch(() => false);
  try {
    return await Promise.race([reset, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
