import { ReportWindowQueryDto } from './login-activity.dto.js';

export class LoginFailuresQueryDto extends ReportWindowQueryDto {}
