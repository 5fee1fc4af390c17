import { Injectable } from '@nestjs/common';
import { ComplaintRepository } from '@steward/persistence';
import { DirectoryService, DirectoryUser } from '@steward/directory';
import type { ComplaintActivities, EscalationRole, EscalationTargets } from '@steward/workflows/complaint/activities';
import type { ActivityProvider } from './activity-provider';

type ComplaintOnly = Omit<ComplaintActivities, 'commitCase' | 'managersOf'>;

/** Directory look-ups the complaint workflow needs: who owns a new complaint, who the ladder brings in. */
@Injectable()
export class ComplaintActivitiesService implements ComplaintOnly, ActivityProvider<ComplaintOnly> {
  constructor(
    private readonly complaints: ComplaintRepository,
    private readonly directory: DirectoryService,
  ) {}

  async pickComplaintOwner(team: string): Promise<string> {
    const owner = await this.complaints.leastLoadedAgent(team);
    if (!owner) throw new Error(`team ${team} has no agent to own the complaint`);
    return owner;
  }

  async escalationTarget(ownerId: string, role: EscalationRole): Promise<string | null> {
    const owner = await this.directory.findUser(ownerId);
    if (!owner) return null;
    const teamLead = await this.teamLeadOf(owner);
    if (role === 'team_lead') return teamLead?.id ?? null;
    // The team lead may be the supervisor too (a complaint owned by the lead goes to the lead's manager).
    const supervisor = teamLead?.roles.includes('supervisor') ? teamLead : await this.upTheLine(teamLead ?? owner, 'supervisor');
    if (role === 'supervisor') return supervisor?.id ?? null;
    return (await this.upTheLine(supervisor ?? teamLead ?? owner, 'manager'))?.id ?? null;
  }

  async complaintAssignment(team: string): Promise<{ ownerId: string; ladder: EscalationTargets }> {
    const ownerId = await this.pickComplaintOwner(team);
    return { ownerId, ladder: await this.escalationTargets(ownerId) };
  }

  /** escalationTarget for every role, walking the directory once (the opening of a complaint waits for it). */
  async escalationTargets(ownerId: string): Promise<EscalationTargets> {
    const owner = await this.directory.findUser(ownerId);
    if (!owner) return { team_lead: null, supervisor: null, manager: null };
    const teamLead = await this.teamLeadOf(owner);
    const supervisor = teamLead?.roles.includes('supervisor') ? teamLead : await this.upTheLine(teamLead ?? owner, 'supervisor');
    const manager = await this.upTheLine(supervisor ?? teamLead ?? owner, 'manager');
    return { team_lead: teamLead?.id ?? null, supervisor: supervisor?.id ?? null, manager: manager?.id ?? null };
  }

  async compensationApprovers(excluded: string[]): Promise<string[]> {
    return (await this.directory.usersWithRole('supervisor')).map((u) => u.id).filter((id) => !excluded.includes(id));
  }

  async supervisorsAbove(userIds: string[]): Promise<Record<string, string | null>> {
    const entries = await Promise.all(
      userIds.map(async (id) => {
        const user = await this.directory.findUser(id);
        return [id, user ? ((await this.upTheLine(user, 'supervisor'))?.id ?? null) : null] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  /** The lead of the owner's team; when the owner leads it, their manager. */
  private async teamLeadOf(user: DirectoryUser): Promise<DirectoryUser | null> {
    const team = user.team ? await this.directory.findTeam(user.team) : null;
    const leadId = team?.leadId && team.leadId !== user.id ? team.leadId : user.managerId;
    return leadId ? this.directory.findUser(leadId) : null;
  }

  /** The first person above `from` in the reporting line who has `role`. */
  private async upTheLine(from: DirectoryUser, role: string): Promise<DirectoryUser | null> {
    const seen = new Set<string>([from.id]);
    let next = from.managerId ? await this.directory.findUser(from.managerId) : null;
    while (next && !seen.has(next.id)) {
      if (next.roles.includes(role)) return next;
      seen.add(next.id);
      next = next.managerId ? await this.directory.findUser(next.managerId) : null;
    }
    return null;
  }

  toActivities(): ComplaintOnly {
    return {
      pickComplaintOwner: this.pickComplaintOwner.bind(this),
      escalationTarget: this.escalationTarget.bind(this),
      complaintAssignment: this.complaintAssignment.bind(this),
      escalationTargets: this.escalationTargets.bind(this),
      compensationApprovers: this.compensationApprovers.bind(this),
      supervisorsAbove: this.supervisorsAbove.bind(this),
    };
  }
}
