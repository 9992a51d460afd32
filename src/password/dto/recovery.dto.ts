import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';

/** The client fields of the routes of API.md section 3. */
class ClientCredentialsDto {
  @ApiProperty({ description: 'The client whose app the mailed link opens', example: 'my-spa' })
  @IsString()
  @Length(1, 200)
  client_id: string;

  @ApiPropertyOptional({ description: 'Required for a confidential client only' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  client_secret?: string;
}

export class ForgetPasswordDto extends ClientCredentialsDto {
  @ApiProperty({ description: 'Username or email of the account', example: 'ada@example.com' })
  @IsString()
  @Length(1, 320)
  username: string;
}

export class VerifyResetLinkQueryDto {
  @ApiProperty({
    description: 'The `token` query parameter of the mailed link',
    example: 'dGhpcy1pcy1hLXJhbmRvbS0zMi1ieXRlLXRva2VuLWV4YW1wbGU',
  })
  @IsString()
  @Length(1, 512)
  token: string;
}

export class ResetPasswordDto extends ClientCredentialsDto {
  @ApiProperty({
    description: 'The `token` query parameter of the mailed link (single use)',
    example: 'dGhpcy1pcy1hLXJhbmRvbS0zMi1ieXRlLXRva2VuLWV4YW1wbGU',
  })
  @IsString()
  @Length(1, 512)
  token: string;

  @ApiProperty({
    description:
      'The new password: 12-128 characters, not a common password, not containing the username or email',
    example: 'Violet-Harbour-Lantern-42',
  })
  @IsString()
  @Length(1, 1024)
  password: string;
}
