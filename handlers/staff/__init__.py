"""Agency staff and hub admins: roles and invitations (``roles``); the inbox and report actions come later."""
