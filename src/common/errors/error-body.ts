import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetail {
  @ApiProperty({ example: 'password' }) field: string;
  @ApiProperty({ example: 'password must be a string' }) message: string;
}

/** The error body of API.md section 0, shared by every route. */
export class ErrorBody {
  @ApiProperty({ example: 401 }) statusCode: number;
  @ApiProperty({ example: 'Unauthorized' }) error: string;
  @ApiProperty({ example: 'INVALID_CREDENTIALS', description: 'Stable UPPER_SNAKE_CASE identifier' })
  code: string;
  @ApiProperty({ example: 'Invalid Credentials' }) message: string;
  @ApiPropertyOptional({ type: [ErrorDetail], description: 'Present on 422 VALIDATION_FAILED' })
  details?: ErrorDetail[];
}
