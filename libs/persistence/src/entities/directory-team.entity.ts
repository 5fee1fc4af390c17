import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'directory_teams' })
export class DirectoryTeamEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'lead_id', type: 'text', nullable: true })
  leadId: string | null;
}
