import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { ClientIdField, ClientSecretField } from '../../common/http/client-fields.js';

/** The client fields of the routes of API.md section 3. */
class ClientCredentialsDto {
  @ClientIdField('The client whose app the mailed link opens')
  client_id: string;

  @ClientSecretField('Required for a confidential client only')
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
