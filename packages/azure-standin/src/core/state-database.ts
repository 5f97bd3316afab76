// The stand-in's state files: SQLite in WAL mode with synchronous=NORMAL, so a committed
// transaction survives a process kill (not a power loss), which suits a local stand-in.
import path from 'node:path';
import { Database } from './sqlite';

export function openStateDatabase(dataDir: string, file: string): Database {
  const db = new Database(path.join(dataDir, file));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}
