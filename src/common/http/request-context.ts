import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from './http.js';

/** Who is calling, as far as the network tells: stored with sessions and login activity. */
export interface RequestContext {
  ip: string;
  userAgent: string | null;
  deviceId: string | null;
}

function header(req: Request, name: string): string | null {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s ? s.slice(0, 200) : null;
}

export function requestContext(req: Request): RequestContext {
  return {
    ip: req.ip ?? req.socket.remoteAddress ?? 'unknown',
    userAgent: header(req, 'user-agent')?.slice(0, 400) ?? null,
    // `device_id` per the contract; `Device-Id` because proxies often drop headers with underscores.
    deviceId: header(req, 'device_id') ?? header(req, 'device-id'),
  };
}

/** `@Ctx() ctx: RequestContext` in a handler. */
export const Ctx = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  requestContext(ctx.switchToHttp().getRequest<Request>()),
);
