import type { Migration, MigrationQueries } from './migration.js';

/**
 * Every change to what `GET /auth/me` answers (a user's row, a membership, a role) is announced
 * on the `auth_accounts` channel, whoever makes it: the service, the CLI or SQL typed by hand.
 * Each instance keeps recent answers in memory and drops them when it hears of a change
 * (tokens/account-cache.ts). The payload is `u:<user id>` (that user's answers) or `r:<role id>`
 * (every answer: a role is shared by many members). PostgreSQL sends the notification when the
 * change commits, and drops duplicates within one transaction.
 */
export class AccountChanges1764000009700 implements Migration {
  name = 'AccountChanges1764000009700';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`
      CREATE FUNCTION announce_account_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'role' THEN
          PERFORM pg_notify('auth_accounts', 'r:' || OLD.id);
        ELSIF TG_TABLE_NAME = 'app_user' THEN
          PERFORM pg_notify('auth_accounts', 'u:' || OLD.id);
        ELSE
          IF TG_OP <> 'INSERT' THEN PERFORM pg_notify('auth_accounts', 'u:' || OLD.user_id); END IF;
          IF TG_OP <> 'DELETE' THEN PERFORM pg_notify('auth_accounts', 'u:' || NEW.user_id); END IF;
        END IF;
        RETURN NULL;
      END $$`);
    // A new user has no answer to drop yet; a new membership changes an existing user's answer.
    await q.query(`
      CREATE TRIGGER app_user_account_change AFTER UPDATE OR DELETE ON app_user
      FOR EACH ROW EXECUTE FUNCTION announce_account_change()`);
    await q.query(`
      CREATE TRIGGER membership_account_change AFTER INSERT OR UPDATE OR DELETE ON membership
      FOR EACH ROW EXECUTE FUNCTION announce_account_change()`);
    await q.query(`
      CREATE TRIGGER role_account_change AFTER UPDATE OR DELETE ON role
      FOR EACH ROW EXECUTE FUNCTION announce_account_change()`);
  }

  async down(q: MigrationQueries): Promise<void> {
    await q.query(`DROP TRIGGER role_account_change ON role`);
    await q.query(`DROP TRIGGER membership_account_change ON membership`);
    await q.query(`DROP TRIGGER app_user_account_change ON app_user`);
    await q.query(`DROP FUNCTION announce_account_change()`);
  }
}
