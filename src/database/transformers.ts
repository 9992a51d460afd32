import type { ValueTransformer } from 'typeorm';

/** Postgres bigint arrives as a string; ids such as communityId and memberId are numbers in the API. */
export const bigintToNumber: ValueTransformer = {
  to: (value: number | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
