"""Teams service: teams, members, invitations, groups and mentorships."""
