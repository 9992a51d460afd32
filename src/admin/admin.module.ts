import { Module } from '@nestjs/common';

/** Provisioning routes and the CLI (filled in by the admin work). */
@Module({})
export class AdminModule {}
