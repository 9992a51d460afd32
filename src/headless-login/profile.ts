import type { ProfileDto, ProfileViewDto } from './dto/profile.dto.js';
import { PROFILE_FIELDS, ProfileField } from './dto/profile.dto.js';

type Tagged = { tag?: string };

/** Stored form of a tagged entry: the tag defaults to UNTAGGED; only the validated fields are kept. */
function withTags<T extends Tagged>(items: T[], keys: (keyof T)[]): Record<string, unknown>[] {
  return items.map((item) => {
    const out: Record<string, unknown> = {};
    for (const k of keys) if (item[k] !== undefined) out[k as string] = item[k];
    out.tag = item.tag ?? 'UNTAGGED';
    return out;
  });
}

function storedValue(field: ProfileField, value: unknown): unknown {
  switch (field) {
    case 'secondaryEmails':
      return withTags(value as { email: string; tag?: string }[], ['email']);
    case 'phonesV2':
      return withTags(value as { countryCode?: string; phone: string; tag?: string }[], [
        'countryCode',
        'phone',
      ]);
    case 'addresses':
      return withTags(value as { address: string; tag?: string }[], ['address']);
    default:
      return value;
  }
}

/** The fields a validated profile sets (`set`) and removes (`unset`: sent as null). */
export function profileChanges(dto: ProfileDto | undefined): {
  set: Record<string, unknown>;
  unset: string[];
} {
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  if (!dto) return { set, unset };
  for (const field of PROFILE_FIELDS) {
    const value = dto[field];
    if (value === undefined) continue;
    if (value === null) unset.push(field);
    else set[field] = storedValue(field, value);
  }
  return { set, unset };
}

/** A profile to store with a new member (null fields are simply left out). */
export function profileToStore(dto: ProfileDto | undefined): Record<string, unknown> {
  return profileChanges(dto).set;
}

/** The profile as answered: every field present, null when unknown; names fall back to the user's columns. */
export function profileView(
  stored: Record<string, unknown> | null,
  names: { firstName: string | null; lastName: string | null },
): ProfileViewDto {
  const p = stored ?? {};
  const view = {} as Record<ProfileField, unknown>;
  for (const field of PROFILE_FIELDS) view[field] = p[field] ?? null;
  view.firstName = p.firstName ?? names.firstName ?? null;
  view.lastName = p.lastName ?? names.lastName ?? null;
  return view as unknown as ProfileViewDto;
}
