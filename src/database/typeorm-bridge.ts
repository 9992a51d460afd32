import type { EntityManager } from 'typeorm';
import type { Queryable, Statement } from './db.js';

/**
 * A Queryable over a TypeORM EntityManager's transaction, for the seams where a module still on
 * TypeORM (its services take an EntityManager) calls query functions of a module on Db inside its
 * own transaction. Named statements run unnamed here. To go once every module runs on Db.
 */
export function queryableOf(manager: EntityManager): Queryable {
  const run = async (statement: Statement | string, params: readonly unknown[] = []) => {
    const text = typeof statement === 'string' ? statement : statement.text;
    const runner = manager.queryRunner;
    if (!runner) throw new Error('queryableOf needs the EntityManager of a transaction');
    return runner.query(text, params as unknown[], true) as Promise<{
      records?: unknown[];
      affected?: number;
    }>;
  };
  return {
    async rows<T>(statement: Statement | string, params?: readonly unknown[]) {
      return ((await run(statement, params)).records ?? []) as T[];
    },
    async row<T>(statement: Statement | string, params?: readonly unknown[]) {
      return ((await run(statement, params)).records ?? [])[0] as T | undefined;
    },
    async exec(statement: Statement | string, params?: readonly unknown[]) {
      return (await run(statement, params)).affected ?? 0;
    },
  };
}
