import type { Migration, MigrationQueries } from './migration.js';

/** Identity store, token engine and login-activity tables of the service spine. */
export class Spine1764000000000 implements Migration {
  name = 'Spine1764000000000';

  async up(q: MigrationQueries): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE tenant (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key varchar(100) NOT NULL,
        name varchar(200) NOT NULL,
        community_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX tenant_key_uq ON tenant (lower(key))`);

    await q.query(`
      CREATE TABLE role (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        permissions text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX role_tenant_name_uq ON role (tenant_id, lower(name))`);

    await q.query(`
      CREATE TABLE app_user (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(320),
        email_verified boolean NOT NULL DEFAULT false,
        username varchar(320),
        first_name varchar(200),
        last_name varchar(200),
        phone varchar(40),
        sso_id varchar(200),
        mfa_enabled boolean NOT NULL DEFAULT false,
        profile jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX app_user_email_uq ON app_user (lower(email)) WHERE email IS NOT NULL`);
    await q.query(
      `CREATE UNIQUE INDEX app_user_username_uq ON app_user (lower(username)) WHERE username IS NOT NULL`,
    );
    await q.query(`CREATE UNIQUE INDEX app_user_sso_id_uq ON app_user (sso_id) WHERE sso_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE user_credential (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        provider varchar(40) NOT NULL,
        external_id varchar(320) NOT NULL,
        password_hash text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT user_credential_provider_external_uq UNIQUE (provider, external_id)
      )`);
    await q.query(`CREATE INDEX user_credential_user_idx ON user_credential (user_id)`);

    await q.query(`
      CREATE TABLE membership (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        member_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        role_id uuid REFERENCES role(id) ON DELETE SET NULL,
        status varchar(30) NOT NULL DEFAULT 'ACTIVE'
          CHECK (status IN ('ACTIVE','PENDING_VERIFICATION','PENDING_APPROVAL','LOCKED','DISABLED')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT membership_user_tenant_uq UNIQUE (user_id, tenant_id)
      )`);
    await q.query(`CREATE INDEX membership_tenant_idx ON membership (tenant_id)`);

    await q.query(`
      CREATE TABLE auth_client (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        client_id varchar(200) NOT NULL UNIQUE,
        name varchar(200) NOT NULL,
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        secret_hash char(64),
        is_public boolean NOT NULL DEFAULT false,
        redirect_urls text[] NOT NULL DEFAULT '{}',
        allowed_origins text[] NOT NULL DEFAULT '{}',
        access_token_expiration integer,
        refresh_token_expiration integer,
        auth_code_expiration integer,
        mfa_required boolean NOT NULL DEFAULT false,
        allow_sign_up boolean NOT NULL DEFAULT true,
        require_owner_approval boolean NOT NULL DEFAULT false,
        require_email_verification boolean NOT NULL DEFAULT true,
        captcha_required boolean NOT NULL DEFAULT false,
        reset_password_url text,
        sign_up_url text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE signing_key (
        kid varchar(64) PRIMARY KEY,
        algorithm varchar(10) NOT NULL,
        private_key_enc text NOT NULL,
        public_jwk jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz,
        verify_until timestamptz
      )`);

    await q.query(`
      CREATE TABLE session (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        client_id uuid NOT NULL REFERENCES auth_client(id) ON DELETE CASCADE,
        auth_method varchar(30) NOT NULL,
        device_info varchar(200),
        user_agent varchar(400),
        ip_address_enc text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        access_expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason varchar(40)
      )`);
    await q.query(`CREATE INDEX session_user_idx ON session (user_id) WHERE revoked_at IS NULL`);
    await q.query(
      `CREATE INDEX session_revoked_idx ON session (access_expires_at) WHERE revoked_at IS NOT NULL`,
    );
    await q.query(`CREATE INDEX session_expires_idx ON session (expires_at)`);

    await q.query(`
      CREATE TABLE refresh_token (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES session(id) ON DELETE CASCADE,
        token_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        rotated_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX refresh_token_hash_uq ON refresh_token (token_hash)`);
    await q.query(`CREATE INDEX refresh_token_session_idx ON refresh_token (session_id)`);

    await q.query(`
      CREATE TABLE revoked_access_token (
        jti uuid PRIMARY KEY,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX revoked_access_token_exp_idx ON revoked_access_token (expires_at)`);

    await q.query(`
      CREATE TABLE auth_code (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code_hash bytea NOT NULL,
        client_id uuid NOT NULL REFERENCES auth_client(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        auth_method varchar(30) NOT NULL,
        mfa_pending boolean NOT NULL DEFAULT false,
        redirect_uri text,
        code_challenge varchar(128),
        code_challenge_method varchar(10),
        nonce varchar(256),
        scope varchar(256),
        device_info varchar(200),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX auth_code_hash_uq ON auth_code (code_hash)`);
    await q.query(`CREATE INDEX auth_code_expires_idx ON auth_code (expires_at)`);

    // Login activity, partitioned by month (DESIGN.md: ~100M rows a day at full refresh load).
    // Monthly partitions are created ahead by the maintenance job; the default partition only
    // catches rows if that job has not run.
    await q.query(`
      CREATE TABLE login_activity (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        actor uuid NOT NULL,
        tenant_id uuid NOT NULL,
        login_time timestamptz NOT NULL DEFAULT now(),
        token_payload_enc text,
        login_type varchar(10) NOT NULL,
        auth_method varchar(30) NOT NULL,
        device_info varchar(200),
        user_agent varchar(400),
        ip_address_enc text,
        PRIMARY KEY (id, login_time)
      ) PARTITION BY RANGE (login_time)`);
    await q.query(`CREATE TABLE login_activity_default PARTITION OF login_activity DEFAULT`);
    await q.query(
      `CREATE INDEX login_activity_tenant_time_idx ON login_activity (tenant_id, login_time DESC)`,
    );
    await q.query(`CREATE INDEX login_activity_actor_time_idx ON login_activity (actor, login_time DESC)`);
    await q.query(`
      CREATE OR REPLACE FUNCTION ensure_login_activity_partition(month_start date) RETURNS void
      LANGUAGE plpgsql AS $$
      DECLARE
        start_ts date := date_trunc('month', month_start)::date;
        end_ts date := (date_trunc('month', month_start) + interval '1 month')::date;
        part text := 'login_activity_' || to_char(start_ts, 'YYYY_MM');
      BEGIN
        IF to_regclass(part) IS NULL THEN
          EXECUTE format('CREATE TABLE %I PARTITION OF login_activity FOR VALUES FROM (%L) TO (%L)',
                         part, start_ts, end_ts);
        END IF;
      END $$`);
    await q.query(`SELECT ensure_login_activity_partition((now() + (n || ' month')::interval)::date)
                   FROM generate_series(0, 2) AS n`);
  }

  async down(q: MigrationQueries): Promise<void> {
    for (const table of [
      'login_activity',
      'auth_code',
      'revoked_access_token',
      'refresh_token',
      'session',
      'signing_key',
      'auth_client',
      'membership',
      'user_credential',
      'app_user',
      'role',
      'tenant',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table} CASCADE`);
    }
    await q.query(`DROP FUNCTION IF EXISTS ensure_login_activity_partition(date)`);
  }
}
