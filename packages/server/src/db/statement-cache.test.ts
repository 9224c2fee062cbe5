import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cachingSqlite } from './statement-cache.ts';

describe('cachingSqlite', () => {
  it('reuses a prepared statement for the same SQL and stays bounded', () => {
    const raw = new Database(':memory:');
    const db = cachingSqlite(raw, 4);
    const a = db.prepare('select 1 as x');
    expect(db.prepare('select 1 as x')).toBe(a);
    for (let i = 2; i < 50; i++) {
      db.prepare(`select ${i} as x`);
      expect(db.prepare('select 1 as x')).toBe(a); // kept while in use
    }
    const early = db.prepare('select 2 as x');
    expect(db.prepare('select 2 as x')).toBe(early);
    expect(a.all([])).toEqual([{ x: 1 }]);
    db.close();
  });
});
