// SQLite for the stand-in, its services and an app's local services: Node's built-in node:sqlite
// (no native addon to compile on install) with the few conveniences the stores rely on:
// transaction(fn) (nested calls become savepoints), pragma(), a 5 s busy timeout, undefined bound
// as NULL and named parameters that a statement does not use ignored.
import fs from 'node:fs';
import type * as NodeSqlite from 'node:sqlite';

// Node 22 marks node:sqlite experimental and prints an ExperimentalWarning when it is first
// loaded. That one warning is dropped (every other warning still goes through); the module is
// required here, after the filter, rather than imported.
function loadNodeSqlite(): typeof NodeSqlite {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const text = typeof warning === 'string' ? warning : warning.message;
    if ((type === 'ExperimentalWarning' || (warning instanceof Error && warning.name === 'ExperimentalWarning')) && text.startsWith('SQLite ')) return;
    return (emitWarning as (...a: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('node:sqlite') as typeof NodeSqlite;
  } finally {
    process.emitWarning = emitWarning;
  }
}

const { DatabaseSync } = loadNodeSqlite();

export type SqlValue = null | number | bigint | string | Buffer | Uint8Array;
/** changes is a number: integers are read as numbers (readBigInts stays off). */
export interface RunResult { changes: number; lastInsertRowid: number | bigint }
export interface DatabaseOptions {
  /** Opens the file read-only (it must exist). */
  readonly?: boolean;
  /** Fails instead of creating the file when it does not exist. */
  fileMustExist?: boolean;
  /** Milliseconds to wait for another connection's lock before SQLITE_BUSY; 5000 unless given. */
  timeout?: number;
}

/** better-sqlite3 bound undefined as NULL; node:sqlite refuses it. */
function bindable(params: unknown[]): NodeSqlite.SQLInputValue[] {
  for (const p of params) {
    if (p === undefined || (p !== null && typeof p === 'object' && !ArrayBuffer.isView(p))) return params.map(bindableValue) as NodeSqlite.SQLInputValue[];
  }
  return params as NodeSqlite.SQLInputValue[];
}

function bindableValue(p: unknown): unknown {
  if (p === undefined) return null;
  if (p === null || typeof p !== 'object' || ArrayBuffer.isView(p)) return p;
  const named: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) named[k] = v === undefined ? null : v;
  return named;
}

/** A prepared statement; rows come back as objects keyed by column name (BLOBs as Uint8Array). */
export class Statement<P extends unknown[] = unknown[], R = unknown> {
  constructor(private readonly s: NodeSqlite.StatementSync) {
    s.setAllowUnknownNamedParameters(true);
  }
  run(...params: P): RunResult {
    return this.s.run(...bindable(params)) as RunResult;
  }
  get(...params: P): R | undefined {
    return this.s.get(...bindable(params)) as R | undefined;
  }
  all(...params: P): R[] {
    return this.s.all(...bindable(params)) as R[];
  }
  iterate(...params: P): IterableIterator<R> {
    return this.s.iterate(...bindable(params)) as IterableIterator<R>;
  }
}

export class Database {
  private readonly db: NodeSqlite.DatabaseSync;
  private readonly begin: NodeSqlite.StatementSync;
  private readonly commit: NodeSqlite.StatementSync;
  private readonly rollback: NodeSqlite.StatementSync;
  private depth = 0;

  constructor(file: string, options: DatabaseOptions = {}) {
    if (options.fileMustExist && file !== ':memory:' && !fs.existsSync(file)) throw new Error(`unable to open database file: ${file} does not exist`);
    this.db = new DatabaseSync(file, { readOnly: options.readonly ?? false, timeout: options.timeout ?? 5000 });
    this.begin = this.db.prepare('BEGIN');
    this.commit = this.db.prepare('COMMIT');
    this.rollback = this.db.prepare('ROLLBACK');
  }

  get open(): boolean {
    return this.db.isOpen;
  }

  get inTransaction(): boolean {
    return this.db.isTransaction;
  }

  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> {
    return new Statement<P, R>(this.db.prepare(sql));
  }

  exec(sql: string): this {
    this.db.exec(sql);
    return this;
  }

  /** `PRAGMA <source>`: its rows, or with simple the first column of the first row. */
  pragma(source: string, options?: { simple?: boolean }): unknown {
    const rows = this.db.prepare(`PRAGMA ${source}`).all();
    if (!options?.simple) return rows;
    const first = rows[0];
    return first === undefined ? undefined : Object.values(first)[0];
  }

  /**
   * fn wrapped in a transaction: committed when it returns, rolled back when it throws. Called
   * inside another transaction it runs in a savepoint, so its failure undoes only its own work.
   */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return (...args: A): R => {
      const outer = this.depth === 0 && !this.db.isTransaction;
      const savepoint = `tx${this.depth}`;
      if (outer) this.begin.run();
      else this.db.exec(`SAVEPOINT ${savepoint}`);
      this.depth++;
      try {
        const result = fn(...args);
        if (result && typeof (result as { then?: unknown }).then === 'function') throw new TypeError('Transaction function cannot return a promise');
        if (outer) this.commit.run();
        else this.db.exec(`RELEASE ${savepoint}`);
        return result;
      } catch (e) {
        if (this.db.isTransaction) {
          if (outer) this.rollback.run();
          else this.db.exec(`ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
        }
        throw e;
      } finally {
        this.depth--;
      }
    };
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
