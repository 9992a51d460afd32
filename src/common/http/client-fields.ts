import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';

/**
 * The `client_id` body field of the classic routes (API.md sections 2 and 3): 1-200 characters.
 * `description` says what the client is for on that route.
 */
export function ClientIdField(description?: string): PropertyDecorator {
  return applyDecorators(
    ApiProperty(description ? { description, example: 'my-spa' } : { example: 'my-spa' }),
    IsString(),
    Length(1, 200),
  );
}

/** The optional `client_secret` body field beside it: at most 512 characters. */
export function ClientSecretField(description: string): PropertyDecorator {
  return applyDecorators(ApiPropertyOptional({ description }), IsOptional(), IsString(), MaxLength(512));
}
