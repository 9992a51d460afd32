import { Spine1764000000000 } from './1764000000000-Spine.js';
import { RevokedSession1764000001000 } from './1764000001000-RevokedSession.js';
import { OneTimeToken1764000002000 } from './1764000002000-OneTimeToken.js';

/** Every migration, in order. Listed as classes, not a glob (a .ts glob breaks under Vitest). */
export const MIGRATIONS = [Spine1764000000000, RevokedSession1764000001000, OneTimeToken1764000002000];
