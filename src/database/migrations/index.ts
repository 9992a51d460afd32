import type { MigrationClass } from './migration.js';
import { Spine1764000000000 } from './1764000000000-Spine.js';
import { RevokedSession1764000001000 } from './1764000001000-RevokedSession.js';
import { OneTimeToken1764000002000 } from './1764000002000-OneTimeToken.js';
import { NotificationOutbox1764000004000 } from './1764000004000-NotificationOutbox.js';
import { Mfa1764000006000 } from './1764000006000-Mfa.js';
import { SocialProviderToken1764000007000 } from './1764000007000-SocialProviderToken.js';
import { HeadlessToken1764000008000 } from './1764000008000-HeadlessToken.js';
import { LoginActivityReportIndexes1764000008100 } from './1764000008100-LoginActivityReportIndexes.js';
import { CodeBudget1764000009000 } from './1764000009000-CodeBudget.js';
import { SessionFace1764000009100 } from './1764000009100-SessionFace.js';
import { ConsoleClients1764000009400 } from './1764000009400-ConsoleClients.js';
import { LoginFailure1764000009410 } from './1764000009410-LoginFailure.js';
import { OidcConformance1764000009500 } from './1764000009500-OidcConformance.js';
import { Passkeys1764000009600 } from './1764000009600-Passkeys.js';
import { AccountChanges1764000009700 } from './1764000009700-AccountChanges.js';

/** Every migration, in order. Listed as classes, not a glob (a .ts glob breaks under Vitest). */
export const MIGRATIONS: readonly MigrationClass[] = [
  Spine1764000000000,
  RevokedSession1764000001000,
  OneTimeToken1764000002000,
  NotificationOutbox1764000004000,
  Mfa1764000006000,
  SocialProviderToken1764000007000,
  HeadlessToken1764000008000,
  LoginActivityReportIndexes1764000008100,
  CodeBudget1764000009000,
  SessionFace1764000009100,
  ConsoleClients1764000009400,
  LoginFailure1764000009410,
  OidcConformance1764000009500,
  Passkeys1764000009600,
  AccountChanges1764000009700,
];
