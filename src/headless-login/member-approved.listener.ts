import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Db } from '../database/db.js';
import { TenantsService } from '../identity/tenants.service.js';
import { UsersService } from '../identity/users.service.js';
import { OutboxService } from '../notifications/outbox.service.js';

/**
 * The event the admin feature emits after `POST /admin/members/{userId}/approve` (named here, not
 * imported: a feature never imports another feature).
 */
export const MEMBER_APPROVED_EVENT = 'member.approved';
interface MemberApproved {
  userId: string;
  tenantId: string;
  memberId: number;
}

/** Mails a member whose pending membership was approved (REQUIRE_OWNER_APPROVAL is over). */
@Injectable()
export class MemberApprovedListener {
  private readonly logger = new Logger('MemberApproved');

  constructor(
    private readonly db: Db,
    private readonly users: UsersService,
    private readonly tenants: TenantsService,
    private readonly outbox: OutboxService,
  ) {}

  @OnEvent(MEMBER_APPROVED_EVENT, { async: true, promisify: true })
  async onApproved(event: MemberApproved): Promise<void> {
    try {
      const user = await this.users.findById(event.userId);
      if (!user?.email) return;
      const tenant = await this.tenants.requireTenant(event.tenantId);
      await this.db.transaction((tx) =>
        this.outbox.enqueue(tx, {
          channel: 'email',
          to: user.email!,
          template: 'member-approved',
          data: { appName: tenant.name },
        }),
      );
    } catch (err) {
      // The approval itself is done; a lost mail is logged (the outbox makes it durable once written).
      this.logger.warn(`could not enqueue the approval mail of ${event.userId}: ${(err as Error).message}`);
    }
  }
}
