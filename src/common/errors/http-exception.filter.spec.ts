import { describe, expect, it } from 'vitest';
import {
  BadRequestException,
  HttpException,
  NotFoundException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import pg from 'pg';
import { Errors } from './app-error.js';
import { toErrorPayload } from './http-exception.filter.js';

describe('toErrorPayload', () => {
  it('renders AppErrors with their code and extras', () => {
    expect(toErrorPayload(Errors.validation([{ field: 'a', message: 'b' }])).payload).toEqual({
      statusCode: 422,
      error: 'Unprocessable Entity',
      code: 'VALIDATION_FAILED',
      message: 'Validation failed',
      details: [{ field: 'a', message: 'b' }],
    });
  });

  it('answers Retry-After for 429 without leaking it into the body', () => {
    const { payload, retryAfter } = toErrorPayload(Errors.tooManyRequests(42));
    expect(retryAfter).toBe(42);
    expect(payload).not.toHaveProperty('retryAfter');
  });

  it('maps framework exceptions to contract codes', () => {
    expect(toErrorPayload(new NotFoundException('Cannot GET /x')).payload).toMatchObject({
      statusCode: 404,
      code: 'NOT_FOUND',
      message: 'Not Found',
    });
    expect(toErrorPayload(new BadRequestException('x')).payload.code).toBe('BAD_REQUEST');
  });

  it('answers 400 for an unsupported media type (charset or encoding)', () => {
    expect(toErrorPayload(new UnsupportedMediaTypeException()).payload).toMatchObject({
      statusCode: 400,
      code: 'BAD_REQUEST',
    });
  });

  it("maps the body parser's refusals (Fastify's FST_ERR_CTP_*, wrapped by Nest) to 400 and 413", () => {
    const refusal = (code: string, status: number) =>
      new HttpException(code, status, { cause: Object.assign(new Error(code), { code }) });
    expect(toErrorPayload(refusal('FST_ERR_CTP_EMPTY_JSON_BODY', 400)).payload).toMatchObject({
      statusCode: 400,
      code: 'BAD_REQUEST',
    });
    expect(toErrorPayload(refusal('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415)).payload).toMatchObject({
      statusCode: 400,
      code: 'BAD_REQUEST',
    });
    expect(toErrorPayload(refusal('FST_ERR_CTP_BODY_TOO_LARGE', 413)).payload).toMatchObject({
      statusCode: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
  });

  it('answers 503 UNAVAILABLE for an unreachable database', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(toErrorPayload(err).payload).toMatchObject({ statusCode: 503, code: 'UNAVAILABLE' });
    expect(toErrorPayload(new Error('timeout exceeded when trying to connect')).payload.statusCode).toBe(503);
    // The connection of a transaction in progress was terminated by the server (Postgres shutdown)...
    const terminated = Object.assign(
      new pg.DatabaseError('terminating connection due to administrator command', 0, 'error'),
      { code: '57P01' },
    );
    expect(toErrorPayload(terminated).payload).toMatchObject({ statusCode: 503, code: 'UNAVAILABLE' });
    expect(toErrorPayload(new Error('Connection terminated unexpectedly')).payload.statusCode).toBe(503);
    // ...or the next statement ran on the connection that had failed.
    const notQueryable = new Error('Client has encountered a connection error and is not queryable');
    expect(toErrorPayload(notQueryable).payload).toMatchObject({ statusCode: 503, code: 'UNAVAILABLE' });
    // A query that outlived the pool's query_timeout.
    expect(toErrorPayload(new Error('Query read timeout')).payload.statusCode).toBe(503);
  });

  it('never leaks an unknown error message, SQL or stack', () => {
    const err = Object.assign(new pg.DatabaseError('syntax error at or near "secret"', 0, 'error'), {
      code: '42601',
      position: '8',
    });
    const { payload } = toErrorPayload(err);
    expect(payload).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'INTERNAL_ERROR',
      message: 'Internal Server Error',
    });
  });
});
