import { dataPaths } from '../app.js';
import type { Config } from '../config/schema.js';
import { createRepos, openDatabase, type Db, type Repos } from '../db/index.js';

/** Run a CLI command against the daemon's database (WAL lets it do so while the daemon runs). */
export function withRepos<T>(config: Config, fn: (repos: Repos, db: Db) => T): T {
  const db = openDatabase(dataPaths(config).database);
  try {
    return fn(createRepos(db), db);
  } finally {
    db.close();
  }
}

export async function withReposAsync<T>(config: Config, fn: (repos: Repos, db: Db) => Promise<T>): Promise<T> {
  const db = openDatabase(dataPaths(config).database);
  try {
    return await fn(createRepos(db), db);
  } finally {
    db.close();
  }
}
