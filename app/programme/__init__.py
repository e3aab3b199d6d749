"""Programme management: phases and batches, targets dashboard, teacher development,
evaluations, Excel import and export, the audit log."""
