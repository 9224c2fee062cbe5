import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cachingSqlite } from './statement-cache.ts';

describe('cachingSqlite', () => {
  it('reuses a prepared statement for the same SQL and evicts the least recently used past the bound', () => {
    const raw = new Database(':memory:');
    const db = cachingSqlite(raw, 2);
    const a = db.prepare('select 1 as x');
    expect(db.prepare('select 1 as x')).toBe(a);
    const b = db.prepare('select 2 as x');
    db.prepare('select 1 as x'); // a is now the most recent
    db.prepare('select 3 as x'); // evicts b
    expect(db.prepare('select 1 as x')).toBe(a);
    expect(db.prepare('select 2 as x')).not.toBe(b);
    expect(a.all([])).toEqual([{ x: 1 }]);
    db.close();
  });
});
