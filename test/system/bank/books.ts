// Reads a bank database (a restored copy: it is opened read-write so SQLite can recover its
// WAL) and says what its books hold.
import { DatabaseSync } from 'node:sqlite';

export interface Books {
  accounts: number;
  total: number;
}

export function readBooks(dbPath: string): Books {
  const db = new DatabaseSync(dbPath);
  try {
    return db.prepare('SELECT count(*) AS accounts, sum(balance) AS total FROM accounts').get() as unknown as Books;
  } finally {
    db.close();
  }
}
