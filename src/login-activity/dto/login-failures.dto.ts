import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';

export class LoginFailuresQueryDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Start of the window, inclusive (default: 30 days before endDate)',
    example: '2026-11-01T00:00:00.000Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  startDate?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'End of the window, inclusive (default: now)',
    example: '2026-11-30T23:59:59.999Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  endDate?: string;
}
