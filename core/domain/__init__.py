"""Pure rules of qbsync: statuses, records and jobs, with no I/O."""
