export interface DirectoryUser {
  id: string;
  name: string;
  email: string;
  roles: string[];
  managerId: string | null;
  team: string | null;
}

export interface DirectoryTeam {
  id: string;
  name: string;
  leadId: string | null;
}

/** The format of `DIRECTORY_FILE` and of the demo fixture. */
export interface DirectoryFile {
  teams: DirectoryTeam[];
  users: DirectoryUser[];
}
