import { applyDecorators, Header } from '@nestjs/common';

/** Answers carrying tokens or secrets must not be cached (API.md section 0). */
export const NoStore = () =>
  applyDecorators(Header('Cache-Control', 'no-store'), Header('Pragma', 'no-cache'));
