import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'directory_users' })
export class DirectoryUserEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  email: string;

  @Column({ type: 'text', array: true })
  roles: string[];

  @Column({ name: 'manager_id', type: 'text', nullable: true })
  managerId: string | null;

  @Column({ name: 'team_id', type: 'text', nullable: true })
  teamId: string | null;
}
