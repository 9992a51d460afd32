import type { Migration, MigrationQueries } from './migration.js';

/**
 * The per-user daily budget of wrong emailed or texted codes (API.md section 12): one row per user
 * who sent a wrong code in the last day, counted atomically, dropped by a successful password
 * sign-in or reset.
 */
export class CodeBudget1764000009000 implements Migration {
  name = 'CodeBudget1764000009000';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`
      CREATE TABLE user_code_budget (
        user_id uuid PRIMARY KEY REFERENCES app_user(id) ON DELETE CASCADE,
        window_start timestamptz NOT NULL DEFAULT now(),
        failures integer NOT NULL DEFAULT 0
      )`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`DROP TABLE user_code_budget`);
  }
}
