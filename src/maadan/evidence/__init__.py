"""Evidence: the source of each claim (publication, date, quoted words), corrections of claims and
the "as of" date of statuses that change over time. Shared by agreements, projects and organisations."""
